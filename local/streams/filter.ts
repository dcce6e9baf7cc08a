/**
 * Lambda event filtering (`FilterCriteria.Filters[].Pattern`) applied to a stream record (pure).
 *
 * A pattern is a JSON object shaped like the record: a nested object descends into the record, an array at a
 * leaf lists the values (or operator objects) one of which must match, every key must match (AND), the filters
 * of a mapping are ORed. Operators: exact string / number / boolean, `null`, `""`, `prefix`, `suffix`,
 * `equals-ignore-case`, `anything-but` (a value, a list, or `{ prefix | suffix | equals-ignore-case }`),
 * `numeric` (`=`, `<`, `<=`, `>`, `>=`, one or two comparisons), `exists` (leaf nodes only), `$or`.
 * A record field holding a list matches when any element does.
 *
 * DynamoDB JSON carries numbers as strings (`{ "N": "5" }`), so a `numeric` rule under an `N` never matches a
 * stream record: we compare types strictly, as the pattern language does.
 * @module
 */

/** A parsed filter pattern. */
export type FilterPattern = { readonly [key: string]: unknown };

/** A pattern, or why it cannot be used. */
export type ParsedPattern =
  | { readonly ok: true; readonly pattern: FilterPattern }
  | { readonly ok: false; readonly reason: string };

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists']);
const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkMatcher(m: unknown, path: string): string | undefined {
  if (m === null || ['string', 'number', 'boolean'].includes(typeof m)) return undefined;
  if (!isObject(m)) return `${path}: a rule must be a value or an operator object`;
  const keys = Object.keys(m);
  if (keys.length !== 1) return `${path}: an operator object has exactly one key, got ${keys.join(', ')}`;
  const op = keys[0]!;
  if (!OPERATORS.has(op)) return `${path}: operator "${op}" is not supported`;
  const arg = m[op];
  if (op === 'numeric') {
    if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4))
      return `${path}: numeric takes [op, n] or [op, n, op, n]`;
    for (let i = 0; i < arg.length; i += 2) {
      if (!NUMERIC_OPS.has(String(arg[i])) || typeof arg[i + 1] !== 'number')
        return `${path}: numeric comparison ${JSON.stringify(arg.slice(i, i + 2))} is not valid`;
    }
  }
  if (op === 'exists' && typeof arg !== 'boolean') return `${path}: exists takes true or false`;
  if ((op === 'prefix' || op === 'suffix') && typeof arg !== 'string') {
    if (!(isObject(arg) && typeof arg['equals-ignore-case'] === 'string'))
      return `${path}: ${op} takes a string`;
  }
  if (op === 'equals-ignore-case' && typeof arg !== 'string') return `${path}: ${op} takes a string`;
  if (op === 'anything-but' && isObject(arg)) {
    const [inner] = Object.keys(arg);
    if (!inner || !['prefix', 'suffix', 'equals-ignore-case'].includes(inner))
      return `${path}: anything-but takes a value, a list, or { prefix | suffix | equals-ignore-case }`;
  }
  return undefined;
}

function check(pattern: unknown, path: string): string | undefined {
  if (!isObject(pattern)) return `${path || 'pattern'}: must be a JSON object`;
  for (const [k, v] of Object.entries(pattern)) {
    const here = path ? `${path}.${k}` : k;
    if (k === '$or') {
      if (!Array.isArray(v) || v.length < 2) return `${here}: $or takes a list of at least two patterns`;
      for (const [i, p] of v.entries()) {
        const e = check(p, `${here}[${i}]`);
        if (e) return e;
      }
    } else if (Array.isArray(v)) {
      if (v.length === 0) return `${here}: a rule list must not be empty`;
      for (const m of v) {
        const e = checkMatcher(m, here);
        if (e) return e;
      }
    } else if (isObject(v)) {
      const e = check(v, here);
      if (e) return e;
    } else {
      return `${here}: a leaf must be a list of rules, e.g. [${JSON.stringify(v)}]`;
    }
  }
  return undefined;
}

/** Parses and validates one `Pattern` string. */
export function parseFilterPattern(text: unknown): ParsedPattern {
  if (typeof text !== 'string') return { ok: false, reason: 'Pattern must be a JSON string' };
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `Pattern is not JSON (${(e as Error).message})` };
  }
  const problem = check(pattern, '');
  return problem ? { ok: false, reason: problem } : { ok: true, pattern: pattern as FilterPattern };
}

function textRule(rule: unknown, value: string, kind: 'prefix' | 'suffix'): boolean {
  const fold = isObject(rule);
  const needle = fold ? String(rule['equals-ignore-case']) : String(rule);
  const hay = fold ? value.toLowerCase() : value;
  const n = fold ? needle.toLowerCase() : needle;
  return kind === 'prefix' ? hay.startsWith(n) : hay.endsWith(n);
}

function numeric(args: readonly unknown[], value: number): boolean {
  for (let i = 0; i < args.length; i += 2) {
    const n = args[i + 1] as number;
    switch (args[i]) {
      case '=':
        if (!(value === n)) return false;
        break;
      case '<':
        if (!(value < n)) return false;
        break;
      case '<=':
        if (!(value <= n)) return false;
        break;
      case '>':
        if (!(value > n)) return false;
        break;
      case '>=':
        if (!(value >= n)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function anythingBut(arg: unknown, value: unknown): boolean {
  if (isObject(arg)) {
    if (typeof value !== 'string') return true;
    if ('equals-ignore-case' in arg)
      return String(arg['equals-ignore-case']).toLowerCase() !== value.toLowerCase();
    const kind = 'prefix' in arg ? 'prefix' : 'suffix';
    return !textRule(arg[kind], value, kind);
  }
  const excluded = Array.isArray(arg) ? arg : [arg];
  return !excluded.some((x) => x === value);
}

/** One scalar of the record against one rule. */
function matchScalar(rule: unknown, value: unknown): boolean {
  if (!isObject(rule)) return rule === value;
  const [op] = Object.keys(rule) as [string];
  const arg = rule[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return typeof value === 'string' && textRule(arg, value, op);
    case 'equals-ignore-case':
      return typeof value === 'string' && String(arg).toLowerCase() === value.toLowerCase();
    case 'anything-but':
      return anythingBut(arg, value);
    case 'numeric':
      return typeof value === 'number' && numeric(arg as unknown[], value);
    default:
      return false;
  }
}

function matchLeaf(rules: readonly unknown[], present: boolean, value: unknown): boolean {
  return rules.some((rule) => {
    if (isObject(rule) && 'exists' in rule) {
      // `exists` looks at leaf nodes only: an object (an intermediate node) does not count as present.
      const isLeaf = present && !isObject(value);
      return rule['exists'] === true ? isLeaf : !isLeaf;
    }
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => matchScalar(rule, v));
  });
}

/** True when the record (any JSON value) matches the pattern. */
export function matchesPattern(pattern: FilterPattern, record: unknown): boolean {
  const obj = isObject(record) ? record : undefined;
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(rule as FilterPattern[]).some((p) => matchesPattern(p, record))) return false;
      continue;
    }
    // Own members only: a pattern key such as `toString` names a record field, never an inherited member.
    const present = obj !== undefined && Object.hasOwn(obj, key) && obj[key] !== undefined;
    const value = present ? obj[key] : undefined;
    if (Array.isArray(rule)) {
      if (!matchLeaf(rule, present, value)) return false;
    } else if (isObject(rule)) {
      if (!matchesPattern(rule, value)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/**
 * True when the record passes the mapping's filters: ORed; no filters declared = everything passes; declared
 * but all invalid = nothing passes.
 */
export function passesFilters(
  spec: { readonly filters: readonly FilterPattern[]; readonly filtersDeclared: boolean },
  record: unknown,
): boolean {
  return !spec.filtersDeclared || spec.filters.some((p) => matchesPattern(p, record));
}
