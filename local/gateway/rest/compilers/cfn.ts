/**
 * What every compiler of an `AWS::ApiGateway::*` resource kind uses: reading references structurally (`Ref`,
 * `Fn::GetAtt`), resolving scalars through the caller's `resolve` (a value it cannot resolve is `undefined`,
 * never a throw), and the {@link CompileContext} the compilers share.
 * @module
 */
import { createHash } from 'node:crypto';
import type { CfnResource, Resolve } from '../../../types';
import { dict } from '../dict';
import { parseMapping } from '../mapping';
import type { IdentitySource, Throttle } from '../model';

/** The template's resources, by logical id. */
export type Resources = Readonly<Record<string, CfnResource>>;

/** What a compiler reads the template with, and where it says what it leaves out. */
export interface CompileContext {
  readonly resolve: Resolve;
  readonly resources: Resources;
  readonly warnings: string[];
  /** The resources of one type, in template order. */
  byType(type: string): [string, CfnResource][];
}

/** A resource's `Properties` (none: empty). */
export const props = (r: CfnResource): Record<string, unknown> => r.Properties ?? {};

/** A stable lowercase alphanumeric id of `len` characters derived from `seed`. */
export function hashId(seed: string, len: number): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return BigInt(`0x${hex}`).toString(36).slice(0, len).padStart(len, '0');
}

/** A plain object (not null, not an array). */
export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The logical id a `{Ref: X}` points to. */
export function refOf(v: unknown): string | undefined {
  return isObj(v) && typeof v['Ref'] === 'string' ? v['Ref'] : undefined;
}

/** `[X, attr]` of a `{Fn::GetAtt: ...}` (array or dotted string form). */
export function getAttOf(v: unknown): [string, string] | undefined {
  if (!isObj(v)) return undefined;
  const g = v['Fn::GetAtt'];
  if (Array.isArray(g) && typeof g[0] === 'string' && typeof g[1] === 'string') return [g[0], g[1]];
  if (typeof g === 'string' && g.includes('.')) {
    const i = g.indexOf('.');
    return [g.slice(0, i), g.slice(i + 1)];
  }
  return undefined;
}

/** `v` resolved, or `undefined` when it cannot be. */
export function tryResolve(resolve: Resolve, v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  try {
    return resolve(v);
  } catch {
    return undefined;
  }
}

/** Resolves the intrinsics inside a structure (maps and lists are walked, intrinsic nodes resolved). */
export function deepResolve(resolve: Resolve, v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => deepResolve(resolve, x));
  const keys = Object.keys(v);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return tryResolve(resolve, v);
  const out = dict<unknown>();
  for (const [k, x] of Object.entries(v)) out[k] = deepResolve(resolve, x);
  return out;
}

/** A resolved scalar as a string (numbers and booleans too, as CloudFormation passes them). */
export function resolveString(resolve: Resolve, v: unknown): string | undefined {
  const r = tryResolve(resolve, v);
  if (typeof r === 'string') return r;
  if (typeof r === 'number' || typeof r === 'boolean') return String(r);
  return undefined;
}

/** A resolved finite number (a numeric string too). */
export function resolveNumber(resolve: Resolve, v: unknown): number | undefined {
  const r = tryResolve(resolve, v);
  const n = typeof r === 'string' && r.trim() !== '' ? Number(r) : r;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A resolved boolean (`"true"`/`"false"` too). */
export function resolveBool(resolve: Resolve, v: unknown): boolean | undefined {
  const r = tryResolve(resolve, v);
  if (typeof r === 'boolean') return r;
  if (r === 'true') return true;
  if (r === 'false') return false;
  return undefined;
}

const LAMBDA_TYPES = new Set(['AWS::Lambda::Function', 'AWS::Lambda::Alias', 'AWS::Lambda::Version']);

/**
 * Finds the Lambda function an integration `Uri` or `AuthorizerUri` points to, by the `Fn::GetAtt [Fn, Arn]`,
 * `Ref` or `${Fn.Arn}` inside it; aliases and versions lead to their function.
 */
export function functionOfUri(uri: unknown, resources: Resources): string | undefined {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}/g)) if (m[1]) found.push(m[1]);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!isObj(v)) return;
    const ga = getAttOf(v);
    if (ga) found.push(ga[0]);
    const r = refOf(v);
    if (r) found.push(r);
    for (const x of Object.values(v)) walk(x);
  };
  walk(uri);
  for (const id of found) {
    const fn = followToFunction(id, resources, 0);
    if (fn) return fn;
  }
  return undefined;
}

function followToFunction(id: string, resources: Resources, depth: number): string | undefined {
  const r = resources[id];
  if (!r || !LAMBDA_TYPES.has(r.Type) || depth > 3) return undefined;
  if (r.Type === 'AWS::Lambda::Function') return id;
  const fnName = r.Properties?.['FunctionName'];
  const target = refOf(fnName) ?? getAttOf(fnName)?.[0];
  return target ? followToFunction(target, resources, depth + 1) : undefined;
}

/** Parses `method.request.header.X`, `method.request.querystring.X`, `stageVariables.X`, `context.X`. */
export function parseIdentitySources(spec: string): IdentitySource[] | string {
  const out: IdentitySource[] = [];
  for (const raw of spec.split(',')) {
    const s = raw.trim();
    if (!s) continue;
    const m = parseMapping(s);
    if (!m || m.kind === 'static' || m.kind === 'path') return `unsupported identity source ${s}`;
    out.push({ kind: m.kind, name: m.name });
  }
  return out;
}

/** The `application/json` mapping template, else the first one. */
export function pickTemplate(templates: unknown): string | undefined {
  if (!isObj(templates)) return undefined;
  const json = templates['application/json'];
  if (typeof json === 'string') return json;
  const first = Object.values(templates).find((t) => typeof t === 'string');
  return typeof first === 'string' ? first : undefined;
}

/** A throttle from a rate and a burst, either of which may be missing. */
export function toThrottle(resolve: Resolve, rate: unknown, burst: unknown): Throttle | undefined {
  const r = resolveNumber(resolve, rate);
  const b = resolveNumber(resolve, burst);
  if (r === undefined && b === undefined) return undefined;
  // A throttle with only one of the two: the other is unbounded in practice.
  return { rateLimit: r ?? Number.POSITIVE_INFINITY, burstLimit: b ?? Number.POSITIVE_INFINITY };
}
