/**
 * Evaluates the IAM policy a Lambda authorizer returns against a method ARN, as IAM does for `execute-api:Invoke`:
 * an explicit `Deny` wins, else an `Allow` grants, else the request is implicitly denied.
 * @module
 */

/** One statement, normalised. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly RegExp[];
  readonly notActions: boolean;
  readonly resources: readonly RegExp[];
  readonly notResources: boolean;
}

/** The decision for one method ARN. */
export type Decision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

/** An IAM wildcard pattern (`*` any run of characters, `?` one character) as a whole-string regex. */
export function iamPattern(p: string, caseInsensitive = false): RegExp {
  const esc = p
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${esc}$`, caseInsensitive ? 'is' : 's');
}

function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/** Parses `policyDocument.Statement` (one object or a list); a string describes what is wrong. */
export function parseStatements(policyDocument: unknown): Statement[] | string {
  if (typeof policyDocument !== 'object' || policyDocument === null) return 'policyDocument is not an object';
  const raw = (policyDocument as Record<string, unknown>)['Statement'];
  const list = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : undefined;
  if (!list) return 'policyDocument has no Statement';
  const out: Statement[] = [];
  for (const s of list) {
    if (typeof s !== 'object' || s === null) return 'a Statement is not an object';
    const st = s as Record<string, unknown>;
    const effect = st['Effect'];
    if (effect !== 'Allow' && effect !== 'Deny') return 'a Statement has no Effect Allow or Deny';
    const actions = strings(st['Action'] ?? st['NotAction']);
    const resources = strings(st['Resource'] ?? st['NotResource']);
    if (!actions || !resources) return 'a Statement has no Action or Resource';
    out.push({
      effect,
      // Action names are case-insensitive in IAM.
      actions: actions.map((a) => iamPattern(a, true)),
      notActions: st['Action'] === undefined,
      resources: resources.map((r) => iamPattern(r)),
      notResources: st['Resource'] === undefined,
    });
  }
  return out;
}

function applies(s: Statement, arn: string): boolean {
  const actionHit = s.actions.some((a) => a.test('execute-api:Invoke'));
  if (actionHit === s.notActions) return false;
  const resourceHit = s.resources.some((r) => r.test(arn));
  return resourceHit !== s.notResources;
}

/** The decision of a policy for one method ARN. */
export function evaluatePolicy(statements: readonly Statement[], arn: string): Decision {
  let allowed = false;
  for (const s of statements) {
    if (!applies(s, arn)) continue;
    if (s.effect === 'Deny') return 'EXPLICIT_DENY';
    allowed = true;
  }
  return allowed ? 'ALLOW' : 'IMPLICIT_DENY';
}
