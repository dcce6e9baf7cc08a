/**
 * What a hot reload cannot apply. The twin's reload swaps functions' code, variables and roles; everything
 * else (routes, tables, stages, keys, event source mappings...) is read once at start. This compares the
 * template the twin started with to a new one and names, for a person, each change that only a restart serves:
 * `new route GET /things`, `new table Things`, `new function ThingsFn`, `changed AWS::ApiGateway::Stage Stage`.
 * @module
 */

import { EMULATED } from './support';

/** The part of a CloudFormation template this reads. */
export interface TemplateLike {
  readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
}

/** Swapped by a reload when changed: a running function's code and variables, and the roles' policies. */
const RELOADED = new Set(['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::IAM::Policy']);

/**
 * Whether a change of this type matters to the twin: only what it emulates (`local/support.ts`). IAM comes and
 * goes with its function (the function is named); a deployment's logical id is a hash of the API, so it
 * changes with every route (the route is named); a path resource serves only through its methods.
 */
function served(type: string, change: 'new' | 'removed' | 'changed'): boolean {
  if (!Object.hasOwn(EMULATED, type) || type === 'AWS::ApiGateway::Deployment') return false;
  if (type === 'AWS::IAM::Role' || type === 'AWS::IAM::Policy') return false;
  return type !== 'AWS::ApiGateway::Resource' || change === 'changed';
}

type Resources = NonNullable<TemplateLike['Resources']>;

const NOUNS = new Map([
  ['AWS::ApiGateway::Method', 'route'],
  ['AWS::ApiGateway::Resource', 'path'],
  ['AWS::DynamoDB::Table', 'table'],
  ['AWS::Lambda::Function', 'function'],
]);
const noun = (type: string): string => NOUNS.get(type) ?? type;

/**
 * The changes between `before` (what is served) and `after` that need a restart, one phrase each, in template
 * order; empty when a reload serves all of `after`.
 */
export function restartNeeded(before: TemplateLike, after: TemplateLike): string[] {
  const old: Resources = before.Resources ?? {};
  const next: Resources = after.Resources ?? {};
  const changes: string[] = [];
  const deployments = new Set(
    [...Object.entries(old), ...Object.entries(next)]
      .filter(([, r]) => r.Type === 'AWS::ApiGateway::Deployment')
      .map(([id]) => id),
  );
  const comparable = (r: Resources[string]) =>
    JSON.stringify(r.Properties ?? {}, (_k, v: unknown) =>
      // A stage points at the deployment of the moment: not a change of its own.
      isRef(v) && deployments.has(v.Ref) ? { Ref: '<deployment>' } : v,
    );
  const note = (change: 'new' | 'removed' | 'changed', resources: Resources, id: string) => {
    const type = resources[id]!.Type;
    if (served(type, change)) changes.push(`${change} ${noun(type)} ${describe(resources, id)}`);
  };
  for (const [id, r] of Object.entries(next)) {
    const was = Object.hasOwn(old, id) ? old[id] : undefined;
    if (!was) note('new', next, id);
    else if (was.Type !== r.Type) note('changed', next, id);
    else if (!RELOADED.has(r.Type) && comparable(was) !== comparable(r)) note('changed', next, id);
  }
  for (const id of Object.keys(old)) if (!Object.hasOwn(next, id)) note('removed', old, id);
  return changes;
}

function isRef(v: unknown): v is { Ref: string } {
  return typeof v === 'object' && v !== null && typeof (v as { Ref?: unknown }).Ref === 'string';
}

/** A route as `METHOD /path`; any other resource by its logical id. */
function describe(resources: Resources, id: string): string {
  const r = resources[id]!;
  if (r.Type === 'AWS::ApiGateway::Resource') return pathOf(resources, { Ref: id }) ?? id;
  if (r.Type !== 'AWS::ApiGateway::Method') return id;
  const p = (r.Properties ?? {}) as { HttpMethod?: unknown; ResourceId?: unknown };
  const method = typeof p.HttpMethod === 'string' ? p.HttpMethod : '?';
  const path = pathOf(resources, p.ResourceId);
  return `${method} ${path === undefined ? `(${id})` : path || '/'}`;
}

/** The path of an API Gateway resource, following `ParentId` up to the root; undefined when it cannot tell. */
function pathOf(resources: Resources, ref: unknown, depth = 0): string | undefined {
  // The root resource: `{ "Fn::GetAtt": [api, "RootResourceId"] }`.
  if (typeof ref === 'object' && ref !== null && 'Fn::GetAtt' in ref) return '';
  if (!isRef(ref) || depth > 50 || !Object.hasOwn(resources, ref.Ref)) return undefined;
  const p = (resources[ref.Ref]!.Properties ?? {}) as { PathPart?: unknown; ParentId?: unknown };
  const parent = pathOf(resources, p.ParentId, depth + 1);
  return parent === undefined || typeof p.PathPart !== 'string' ? undefined : `${parent}/${p.PathPart}`;
}
