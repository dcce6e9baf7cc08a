/**
 * Validating a body against a resource schema, with one error per field addressed by JSON Pointer.
 * zod/mini ships no messages (they would cost load time), so the few we need are written here. A resource with a
 * plan is checked by `plan.ts`, which reports zod's issues without loading zod; the messages are the same.
 * @module
 */
import type * as z from 'zod/mini';
import { type FieldError, ValidationFailed } from './errors';
import { runPlan } from './plan';
import { type Resource, type ResourceShape, SERVER_FIELDS } from './resource';

/** RFC 6901 pointer for a path. */
export function pointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

// biome-ignore lint/suspicious/noExplicitAny: zod issues are a wide union; we read a few optional members.
function message(issue: any, body: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return valueAt(body, issue.path) === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'string')
        return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} entries`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} entries`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'datetime'
        ? 'must be an ISO 8601 date-time such as 2030-01-01T00:00:00Z'
        : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return 'is invalid';
  }
}

/** The value at `path`, own members only: a field named `toString` the body lacks is missing, not a function. */
function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v = body;
  for (const p of path)
    v =
      v && typeof v === 'object' && Object.hasOwn(v, p) ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/**
 * A copy of a parsed body whose objects inherit nothing, for zod: it tells a field present by `key in input`, so
 * on a plain object it finds a field named `toString` or `constructor` in every body. As deep as DynamoDB
 * stores, so no body can overflow the stack here (anything deeper is refused after the schema has run).
 */
export function inheritingNothing(v: unknown, depth = 0): unknown {
  if (!v || typeof v !== 'object' || depth > MAX_DEPTH) return v;
  if (Array.isArray(v)) return v.map((e) => inheritingNothing(e, depth + 1));
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(v)) out[k] = inheritingNothing((v as Record<string, unknown>)[k], depth + 1);
  return out;
}

function article(t: string): string {
  return t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`;
}

/** The fields the server owns are not the client's to set: they are dropped from bodies before validation. */
export function withoutServerFields(body: Record<string, unknown>): Record<string, unknown> {
  const out = { ...body };
  for (const f of SERVER_FIELDS) delete out[f];
  return out;
}

/**
 * What validation needs of a resource: its plan (`plan.ts`, checked without zod) or, for a schema that has
 * none, the schema itself.
 */
export type Validatable = Pick<ResourceShape, 'plan'> & Partial<Pick<Resource, 'schema'>>;

/**
 * DynamoDB's number limits: a magnitude from 1E-130 to 9.9999999999999999999999999999999999999E+125, or zero
 * (Amazon DynamoDB Developer Guide, "Supported data types and naming rules", Number). A JSON number reaches
 * us as a double, whose shortest form has at most 17 significant digits, so the 38-digit precision limit can
 * never be the one exceeded; only the magnitude can.
 */
const MIN_MAGNITUDE = 1e-130;
const MAX_MAGNITUDE = 1e126;

/** Whether DynamoDB can store the number (finite, zero or within its magnitude range). */
export function storableNumber(n: number): boolean {
  const m = Math.abs(n);
  return m === 0 || (m >= MIN_MAGNITUDE && m < MAX_MAGNITUDE);
}

/**
 * DynamoDB stores maps and lists nested up to 32 levels deep ("Service, account, and table quotas", Attributes).
 * The walk below stops there too, so a hostile body of 50,000 nested arrays is a 400, never a stack overflow.
 */
const MAX_DEPTH = 32;

/**
 * Every number DynamoDB cannot store, and every value nested deeper than it can store, at any depth: schemas
 * declare types, not DynamoDB's limits, and a schema that takes free-form values (a record, `unknown`) could
 * hold one anywhere.
 */
function unstorable(v: unknown, path: (string | number)[], out: FieldError[]): void {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && !storableNumber(v)) {
      out.push({
        pointer: pointer(path),
        message: 'is a number DynamoDB cannot store: it must be 0 or of magnitude 1e-130 to below 1e126',
      });
    }
    return;
  }
  if (!v || typeof v !== 'object') return;
  if (path.length >= MAX_DEPTH) {
    out.push({
      pointer: pointer(path),
      message: `is nested deeper than the ${MAX_DEPTH} levels DynamoDB stores`,
    });
    return;
  }
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) unstorable(v[i], [...path, i], out);
  else for (const k of Object.keys(v)) unstorable((v as Record<string, unknown>)[k], [...path, k], out);
}

/**
 * What DynamoDB could not store in a value, by JSON Pointer: numbers out of its range, nesting deeper than its
 * 32 levels. Bounded, so safe on any parsed body: a patch is checked with it before it is merged.
 */
export function unstorableFields(value: unknown): FieldError[] {
  const out: FieldError[] = [];
  unstorable(value, [], out);
  return out;
}

/** Validates a body (already parsed JSON) against the resource schema; throws {@link ValidationFailed}. */
export function validate(resource: Validatable, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationFailed([{ pointer: '', message: 'the body must be a JSON object' }]);
  }
  const input = withoutServerFields(body as Record<string, unknown>);
  const issues = schemaIssues(resource, input);
  if ('data' in issues) {
    const range: FieldError[] = [];
    unstorable(issues.data, [], range);
    if (range.length) throw new ValidationFailed(range);
    return issues.data;
  }
  const errors: FieldError[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: zod's issues and the plan's share the members read here.
  for (const issue of issues as any[]) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys)
        errors.push({ pointer: pointer([...issue.path, k]), message: 'is not a known field' });
    } else {
      errors.push({ pointer: pointer(issue.path), message: message(issue, input) });
    }
  }
  const range: FieldError[] = [];
  unstorable(input, [], range);
  const named = new Set(errors.map((e) => e.pointer));
  // A field the schema already rejected is not reported again, nor anything inside it.
  const reported = (ptr: string) => [...named].some((n) => ptr === n || ptr.startsWith(`${n}/`));
  for (const e of range) if (!reported(e.pointer)) errors.push(e);
  throw new ValidationFailed(errors);
}

/** The parsed value, or the issues the plan (or, without one, zod) reports. */
function schemaIssues(
  resource: Validatable,
  input: Record<string, unknown>,
): readonly unknown[] | { data: Record<string, unknown> } {
  if (resource.plan) {
    const r = runPlan(resource.plan, input);
    return r.success ? { data: r.data as Record<string, unknown> } : r.issues;
  }
  if (resource.schema) {
    let r: ReturnType<z.ZodMiniType['safeParse']>;
    try {
      r = (resource.schema as z.ZodMiniType).safeParse(inheritingNothing(input));
    } catch {
      // zod throws on a few hostile bodies (an object whose `length` member cannot be compared): still the
      // client's body, so a 400, not a 500. (A resource with a plan reports the field.)
      throw new ValidationFailed([{ pointer: '', message: 'the body does not match the resource' }]);
    }
    return r.success ? { data: r.data as Record<string, unknown> } : r.error.issues;
  }
  throw new Error('a resource to validate against needs a plan or a schema');
}
