/**
 * A resource schema as plain JSON (a "plan"), and a small checker that runs it with zod's own semantics, so
 * that the functions that write (create, replace, patch) can validate without loading zod.
 *
 * Why: zod/mini is the declaration language (the issue asks for it, and it reads well), but loading it costs a
 * cold start about 10 ms, a third of a write function's load. No library compiles a zod schema into code that
 * runs without zod; the JSON Schema route (`z.toJSONSchema` + a JSON Schema compiler) converts twice and
 * reports in another order and vocabulary. So the stack reads each declaration's schema at synth time
 * ({@link planOf}) and bundles the plan into the functions, and {@link runPlan} reproduces, for the subset of
 * zod our declarations use, the issues zod would report (same codes, paths, bounds, order), from which
 * `validation.ts` words the same errors. A schema using anything outside that subset has no plan, and its
 * functions keep zod. `plan.test.ts` checks the two agree on arbitrary input (fast-check, zod as the oracle).
 *
 * Mirrored zod 4 behaviour (`zod/v4/core` schemas.js and checks.js): a type mismatch is an `invalid_type` that
 * stops the checks without a `when` guard; length checks run whenever the value has a `length` (strings are
 * measured in code points); check failures do not stop later checks; objects walk the shape in declaration
 * order (an absent optional contributes nothing), then report unknown keys in one `unrecognized_keys` issue
 * (strict objects) or drop them (plain objects). One deliberate difference: a field is present when it is an own
 * member of the body, where zod's `key in input` also finds inherited ones (a field named `toString`); so
 * `validation.ts` hands zod bodies whose objects inherit nothing, and the two agree again.
 * @module
 */

/** One node of a plan. */
export type Plan =
  | {
      readonly t: 'object';
      /** `strict`: unknown keys are an issue; `strip`: they are dropped. */
      readonly unknown: 'strict' | 'strip';
      readonly shape: readonly (readonly [string, Plan])[];
    }
  | { readonly t: 'string'; readonly checks: readonly Check[] }
  | { readonly t: 'number'; readonly checks: readonly Check[] }
  | { readonly t: 'boolean' }
  | { readonly t: 'values'; readonly values: readonly (string | number | boolean | null)[] }
  | { readonly t: 'array'; readonly element: Plan; readonly checks: readonly Check[] }
  | { readonly t: 'optional'; readonly inner: Plan }
  | { readonly t: 'nullable'; readonly inner: Plan };

/** A check, in the order zod runs them. */
export type Check =
  | { readonly k: 'min_length'; readonly n: number }
  | { readonly k: 'max_length'; readonly n: number }
  | { readonly k: 'length_equals'; readonly n: number }
  | { readonly k: 'greater_than'; readonly n: number; readonly inclusive: boolean }
  | { readonly k: 'less_than'; readonly n: number; readonly inclusive: boolean }
  | { readonly k: 'format'; readonly format: string; readonly source: string; readonly flags: string };

type LengthCheck = Extract<Check, { k: 'min_length' | 'max_length' | 'length_equals' }>;

/** An issue as zod reports it, with the members `validation.ts` reads. */
export interface PlanIssue {
  readonly code: string;
  readonly path: readonly (string | number)[];
  readonly expected?: string;
  readonly origin?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly inclusive?: boolean;
  readonly values?: readonly unknown[];
  readonly format?: string;
  readonly keys?: readonly string[];
  /** Set on issues that do not stop later checks (zod's `continue: true`). */
  readonly continue?: boolean;
}

export type PlanResult =
  | { readonly success: true; readonly data: unknown }
  | { readonly success: false; readonly issues: readonly PlanIssue[] };

// ---------------------------------------------------------------------------------------------------------------
// Reading a zod schema (synth time, and tests)

// biome-ignore lint/suspicious/noExplicitAny: zod's internals (`_zod.def`) are an open union; we read a few members.
type Any = any;

/** String formats whose check is nothing but their pattern (others, such as `url`, run their own code). */
const PATTERN_FORMATS = new Set(['datetime', 'date', 'time', 'email', 'uuid', 'guid', 'regex', 'ulid']);

function checksOf(defChecks: readonly Any[] | undefined): Check[] | undefined {
  const out: Check[] = [];
  for (const c of defChecks ?? []) {
    const d = c._zod.def;
    if (d.abort) return undefined;
    switch (d.check) {
      case 'min_length':
        out.push({ k: 'min_length', n: d.minimum });
        break;
      case 'max_length':
        out.push({ k: 'max_length', n: d.maximum });
        break;
      case 'length_equals':
        out.push({ k: 'length_equals', n: d.length });
        break;
      case 'greater_than':
      case 'less_than':
        if (typeof d.value !== 'number') return undefined;
        out.push({ k: d.check, n: d.value, inclusive: Boolean(d.inclusive) });
        break;
      case 'string_format': {
        const f = formatCheck(d);
        if (!f) return undefined;
        out.push(f);
        break;
      }
      default:
        return undefined;
    }
  }
  return out;
}

function formatCheck(d: Any): Check | undefined {
  if (!PATTERN_FORMATS.has(d.format) || !(d.pattern instanceof RegExp)) return undefined;
  return { k: 'format', format: d.format, source: d.pattern.source, flags: d.pattern.flags };
}

/**
 * The plan of a zod schema, or `undefined` when it uses anything the checker does not reproduce (refinements,
 * transforms, defaults, unions, records, number formats such as `z.int()`, ...).
 * @example
 * planOf(z.strictObject({ name: z.string().check(z.minLength(1)) }))
 * // { t: 'object', unknown: 'strict', shape: [['name', { t: 'string', checks: [{ k: 'min_length', n: 1 }] }]] }
 */
export function planOf(schema: unknown): Plan | undefined {
  const def: Any = (schema as Any)?._zod?.def;
  if (!def) return undefined;
  // Wrappers and types with no checks of their own: any check on them is outside the subset.
  const noChecks = !def.checks?.length;
  switch (def.type) {
    case 'object': {
      const catchall = def.catchall?._zod?.def?.type;
      if (!noChecks || (catchall !== undefined && catchall !== 'never')) return undefined;
      const shape: [string, Plan][] = [];
      for (const key of Object.keys(def.shape)) {
        if (key === '__proto__') return undefined;
        const p = planOf(def.shape[key]);
        if (!p) return undefined;
        shape.push([key, p]);
      }
      if (Object.getOwnPropertySymbols(def.shape).length) return undefined;
      return { t: 'object', unknown: catchall === 'never' ? 'strict' : 'strip', shape };
    }
    case 'string': {
      if (def.coerce) return undefined;
      const checks = checksOf(def.checks);
      if (!checks) return undefined;
      // A format schema (`z.iso.datetime()`, `z.email()`) is itself its first check.
      if (def.check === 'string_format') {
        const f = formatCheck(def);
        if (!f || def.abort) return undefined;
        checks.unshift(f);
      } else if (def.check !== undefined) return undefined;
      return { t: 'string', checks };
    }
    case 'number': {
      if (def.coerce || def.check !== undefined) return undefined;
      const checks = checksOf(def.checks);
      return checks ? { t: 'number', checks } : undefined;
    }
    case 'boolean':
      return noChecks && !def.coerce ? { t: 'boolean' } : undefined;
    case 'enum':
    case 'literal': {
      // What zod's issue lists: a literal's own values, an enum's values as it derives them.
      const values = def.type === 'literal' ? [...def.values] : [...((schema as Any)._zod.values ?? [])];
      const ok = values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
      return noChecks && ok ? { t: 'values', values } : undefined;
    }
    case 'array': {
      const element = planOf(def.element);
      const checks = checksOf(def.checks);
      return element && checks ? { t: 'array', element, checks } : undefined;
    }
    case 'optional':
    case 'nullable': {
      if (!noChecks) return undefined;
      // An optional whose inner type supplies a default substitutes a value: not reproduced.
      if (def.innerType?._zod?.optin === 'defaulted') return undefined;
      const inner = planOf(def.innerType);
      return inner ? { t: def.type, inner } : undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Running a plan (in the functions)

interface Payload {
  value: unknown;
  issues: PlanIssue[];
}

const aborted = (issues: readonly PlanIssue[]) => issues.some((i) => i.continue !== true);
const explicitlyAborted = (issues: readonly PlanIssue[]) => issues.some((i) => i.continue === false);

/** Length in Unicode code points, as zod measures strings (a lone surrogate counts as one). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

/**
 * The issue a length check reports, if any. `v.length` is compared as zod compares it (a `length` member of
 * any type, coerced); where that comparison throws (an object with no usable `toString`), zod throws from
 * `safeParse`, and the check is skipped here instead: the value is already of the wrong type.
 */
function lengthIssue(c: LengthCheck, v: Any): PlanIssue | undefined {
  const len = typeof v === 'string' ? codePoints(v) : v.length;
  let ok: boolean;
  let small: boolean;
  try {
    ok = c.k === 'min_length' ? len >= c.n : c.k === 'max_length' ? len <= c.n : len === c.n;
    // As zod words it: an exact length that is not too big is too small.
    small = c.k === 'length_equals' ? !(len > c.n) : c.k === 'min_length';
  } catch {
    return undefined;
  }
  if (ok) return undefined;
  return {
    origin: origin(v),
    code: small ? 'too_small' : 'too_big',
    ...(small ? { minimum: c.n } : { maximum: c.n }),
    inclusive: true,
    path: [],
    continue: true,
  };
}

/**
 * zod's cap on arrays: when an array is longer than a maximum among the leading length checks, that check's
 * issue is the only one (elements are not parsed, no other check runs).
 */
function capped(p: Payload, checks: readonly Check[], v: readonly unknown[]): boolean {
  const caps: LengthCheck[] = [];
  for (const c of checks) {
    if (c.k !== 'min_length' && c.k !== 'max_length' && c.k !== 'length_equals') break;
    if (c.k !== 'min_length') caps.push(c);
  }
  for (const c of caps) {
    if (v.length <= c.n) continue;
    const issue = lengthIssue(c, v);
    if (issue) p.issues.push({ ...issue, continue: false });
    return true;
  }
  return false;
}

const origin = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : 'unknown');
const regexes = new Map<string, RegExp>();

function runChecks(p: Payload, checks: readonly Check[]): void {
  let stop = aborted(p.issues);
  for (const c of checks) {
    const v = p.value as Any;
    const before = p.issues.length;
    switch (c.k) {
      case 'min_length':
      case 'max_length':
      case 'length_equals': {
        // Run whenever the value has a length (zod's `when`), even after a type mismatch, unless an issue
        // stopped everything (a capped array).
        if (v === null || v === undefined || v.length === undefined || explicitlyAborted(p.issues)) continue;
        const issue = lengthIssue(c, v);
        if (!issue) continue;
        p.issues.push(issue);
        break;
      }
      case 'greater_than':
      case 'less_than': {
        if (stop) continue;
        const gt = c.k === 'greater_than';
        const ok = gt ? (c.inclusive ? v >= c.n : v > c.n) : c.inclusive ? v <= c.n : v < c.n;
        if (ok) continue;
        p.issues.push({
          origin: 'number',
          code: gt ? 'too_small' : 'too_big',
          ...(gt ? { minimum: c.n } : { maximum: c.n }),
          inclusive: c.inclusive,
          path: [],
          continue: true,
        });
        break;
      }
      case 'format': {
        if (stop) continue;
        const key = `${c.flags}/${c.source}`;
        let re = regexes.get(key);
        if (!re) {
          re = new RegExp(c.source, c.flags);
          regexes.set(key, re);
        }
        re.lastIndex = 0;
        if (re.test(v)) continue;
        p.issues.push({
          origin: 'string',
          code: 'invalid_format',
          format: c.format,
          path: [],
          continue: true,
        });
        break;
      }
    }
    if (!stop && p.issues.length > before) stop = aborted(p.issues.slice(before));
  }
}

/** Absence allowed (zod's `optin`/`optout`): an optional, possibly inside nullables. */
const isOptional = (p: Plan): boolean => p.t === 'optional' || (p.t === 'nullable' && isOptional(p.inner));

const prefixed = (key: string | number, issues: readonly PlanIssue[]) =>
  issues.map((i) => ({ ...i, path: [key, ...i.path] }));

function run(plan: Plan, p: Payload): void {
  const v = p.value;
  switch (plan.t) {
    case 'string':
    case 'number':
    case 'boolean': {
      const ok = plan.t === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === plan.t;
      if (!ok) p.issues.push({ expected: plan.t, code: 'invalid_type', path: [] });
      if (plan.t !== 'boolean') runChecks(p, plan.checks);
      return;
    }
    case 'values':
      if (!plan.values.includes(v as string))
        p.issues.push({ code: 'invalid_value', values: plan.values, path: [] });
      return;
    case 'optional':
      if (v !== undefined) run(plan.inner, p);
      return;
    case 'nullable':
      if (v !== null) run(plan.inner, p);
      return;
    case 'array': {
      if (!Array.isArray(v)) {
        p.issues.push({ expected: 'array', code: 'invalid_type', path: [] });
      } else if (capped(p, plan.checks, v)) {
        return;
      } else {
        const out: unknown[] = new Array(v.length);
        v.forEach((item, i) => {
          const r: Payload = { value: item, issues: [] };
          run(plan.element, r);
          if (r.issues.length) p.issues.push(...prefixed(i, r.issues));
          out[i] = r.value;
        });
        p.value = out;
      }
      runChecks(p, plan.checks);
      return;
    }
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        p.issues.push({ expected: 'object', code: 'invalid_type', path: [] });
        return;
      }
      const input = v as Record<string, unknown>;
      // Keys are declared names, never `__proto__` (planOf refuses it), so assigning them is safe.
      const out: Record<string, unknown> = {};
      for (const [key, field] of plan.shape) {
        // Own members only: every body inherits `toString`, `constructor`, ..., and a declared field of that
        // name must not be found there (zod's `key in input` does; `validation.ts` hands zod bodies that
        // inherit nothing, so both agree).
        const present = Object.hasOwn(input, key);
        const r: Payload = { value: present ? input[key] : undefined, issues: [] };
        run(field, r);
        const optional = isOptional(field);
        if (r.issues.length) {
          if (optional && !present) continue;
          p.issues.push(...prefixed(key, r.issues));
        }
        if (!present && !optional) continue;
        if (r.value !== undefined || present) out[key] = r.value;
      }
      if (plan.unknown === 'strict') {
        const known = new Set(plan.shape.map(([k]) => k));
        const keys: string[] = [];
        for (const key of Object.keys(input)) if (!known.has(key)) keys.push(key);
        if (keys.length) p.issues.push({ code: 'unrecognized_keys', keys, path: [], continue: true });
      }
      p.value = out;
      return;
    }
  }
}

/**
 * Checks a value against a plan: the parsed value, or zod's issues.
 * @example
 * runPlan(plan, { name: '' }) // { success: false, issues: [{ code: 'too_small', origin: 'string', minimum: 1, ... }] }
 */
export function runPlan(plan: Plan, value: unknown): PlanResult {
  const p: Payload = { value, issues: [] };
  run(plan, p);
  return p.issues.length ? { success: false, issues: p.issues } : { success: true, data: p.value };
}
