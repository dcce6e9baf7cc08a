/**
 * IAM identity-based policy evaluation, for the permissions a DynamoDB call needs.
 *
 * Follows "Policy evaluation logic" (IAM User Guide) for a role session in its own account with identity-based
 * policies and, optionally, a permissions boundary: an explicit `Deny` in any of them wins; otherwise the
 * identity-based policies must `Allow` the action on the resource, and so must the boundary when there is one.
 * Statements: `Effect`, `Action`/`NotAction` (case-insensitive, `*` and `?` wildcards), `Resource`/`NotResource`
 * (case-sensitive; `*` and `?` match within an ARN segment, a `*` that ends a segment may match across colons,
 * as "IAM JSON policy elements: Resource" describes).
 *
 * Not evaluated: `Condition`. The twin has no request context for most keys, so it does the strict thing and
 * says so: a conditional `Allow` grants nothing, a conditional `Deny` applies (a warning names each such
 * statement once, and a denial caused by one says so). Policy variables (`${aws:username}`) are matched
 * literally. Pure; compile once, evaluate per request.
 * @module
 */
import type { Log } from '../types';

export interface CompiledStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: readonly RegExp[];
  readonly notActions?: readonly RegExp[];
  readonly resources?: readonly RegExp[];
  readonly notResources?: readonly RegExp[];
  /** The statement has a `Condition` (not evaluated; see the module notes). */
  readonly conditional: boolean;
  /** Where it comes from, for messages: `<policy name> statement <n>[ (Sid)]`. */
  readonly source: string;
}

/** The policies one principal is evaluated against. */
export interface PolicySet {
  readonly identity: readonly CompiledStatement[];
  /** The permissions boundary, when the role has one the twin could read. */
  readonly boundary?: readonly CompiledStatement[];
}

export type Decision =
  | { readonly allowed: true; readonly by: CompiledStatement }
  | {
      readonly allowed: false;
      /** `explicit`: a Deny matched; `implicit`: no Allow did. */
      readonly kind: 'explicit' | 'implicit';
      /** Which policy type decided: what AWS names in the message. */
      readonly policyType: 'identity-based policy' | 'permissions boundary';
      readonly by?: CompiledStatement;
      /** A conditional Allow that would have matched if its condition held. */
      readonly conditionalAllow?: CompiledStatement;
    };

const escapeRe = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** An `Action` pattern: case-insensitive, `*` any run, `?` one character. */
export function actionPattern(p: string): RegExp {
  return new RegExp(`^${escapeRe(p).replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
}

/** A `Resource` pattern: `*` and `?` within a segment; a `*` ending a segment may span colons. */
export function resourcePattern(p: string): RegExp {
  if (p === '*') return /^.*$/s;
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') re += i === p.length - 1 || p[i + 1] === ':' ? '.*' : '[^:]*';
    else if (c === '?') re += '[^:]';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's');
}

const list = (v: unknown): unknown[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Compiles a policy document (intrinsics already resolved). Malformed statements are skipped with a warning
 * rather than thrown: the twin must start, and a skipped Allow only makes it stricter.
 */
export function compilePolicy(document: unknown, name: string, log: Log = () => {}): CompiledStatement[] {
  const doc = document as { Statement?: unknown } | undefined;
  const statements = list(doc?.Statement) ?? [];
  const out: CompiledStatement[] = [];
  statements.forEach((raw, i) => {
    const st = (raw ?? {}) as Record<string, unknown>;
    const source = `${name} statement ${i + 1}${typeof st['Sid'] === 'string' && st['Sid'] ? ` (${st['Sid']})` : ''}`;
    const effect = st['Effect'];
    if (effect !== 'Allow' && effect !== 'Deny') {
      log(`warning: IAM: ${source}: Effect ${text(effect)} is neither Allow nor Deny; statement ignored`);
      return;
    }
    const act = list(st['Action']);
    const notAct = list(st['NotAction']);
    const res = list(st['Resource']);
    const notRes = list(st['NotResource']);
    if (!act === !notAct || !res === !notRes) {
      log(
        `warning: IAM: ${source}: needs exactly one of Action/NotAction and of Resource/NotResource; ignored`,
      );
      return;
    }
    for (const r of [...(res ?? []), ...(notRes ?? [])]) {
      if (typeof r !== 'string')
        log(`warning: IAM: ${source}: resource ${text(r)} did not resolve to a string`);
      else if (r.includes('${')) log(`warning: IAM: ${source}: policy variable in ${r} is matched literally`);
    }
    out.push({
      effect,
      ...(act ? { actions: act.map((a) => actionPattern(text(a))) } : {}),
      ...(notAct ? { notActions: notAct.map((a) => actionPattern(text(a))) } : {}),
      ...(res ? { resources: res.map((r) => resourcePattern(text(r))) } : {}),
      ...(notRes ? { notResources: notRes.map((r) => resourcePattern(text(r))) } : {}),
      conditional: st['Condition'] !== undefined && Object.keys(st['Condition'] as object).length > 0,
      source,
    });
  });
  return out;
}

/** True when the statement's action and resource elements cover the request (conditions aside). */
export function statementMatches(st: CompiledStatement, action: string, resource: string): boolean {
  const actionOk = st.actions
    ? st.actions.some((re) => re.test(action))
    : !(st.notActions ?? []).some((re) => re.test(action));
  if (!actionOk) return false;
  return st.resources
    ? st.resources.some((re) => re.test(resource))
    : !(st.notResources ?? []).some((re) => re.test(resource));
}

/** True when some statement could concern `dynamodb:*` actions (for warnings). */
export function concernsDynamoDB(st: CompiledStatement): boolean {
  const probe = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
  return probe.some((a) =>
    st.actions ? st.actions.some((re) => re.test(a)) : !(st.notActions ?? []).some((re) => re.test(a)),
  );
}

function decide(
  statements: readonly CompiledStatement[],
  action: string,
  resource: string,
): { deny?: CompiledStatement; allow?: CompiledStatement; conditionalAllow?: CompiledStatement } {
  let allow: CompiledStatement | undefined;
  let conditionalAllow: CompiledStatement | undefined;
  for (const st of statements) {
    if (!statementMatches(st, action, resource)) continue;
    if (st.effect === 'Deny') return { deny: st };
    if (st.conditional) conditionalAllow ??= st;
    else allow ??= st;
  }
  return { ...(allow ? { allow } : {}), ...(conditionalAllow ? { conditionalAllow } : {}) };
}

/** Evaluates one (action, resource) against a principal's policies. */
export function evaluate(policies: PolicySet, action: string, resource: string): Decision {
  const id = decide(policies.identity, action, resource);
  const bd = policies.boundary ? decide(policies.boundary, action, resource) : undefined;
  if (id.deny) return { allowed: false, kind: 'explicit', policyType: 'identity-based policy', by: id.deny };
  if (bd?.deny) return { allowed: false, kind: 'explicit', policyType: 'permissions boundary', by: bd.deny };
  if (!id.allow) {
    return {
      allowed: false,
      kind: 'implicit',
      policyType: 'identity-based policy',
      ...(id.conditionalAllow ? { conditionalAllow: id.conditionalAllow } : {}),
    };
  }
  if (bd && !bd.allow) {
    return {
      allowed: false,
      kind: 'implicit',
      policyType: 'permissions boundary',
      ...(bd.conditionalAllow ? { conditionalAllow: bd.conditionalAllow } : {}),
    };
  }
  return { allowed: true, by: id.allow };
}

/**
 * The `Message` AWS gives for a denial ("Troubleshooting access denied error messages", IAM User Guide):
 * `User: <session ARN> is not authorized to perform: <action> on resource: <ARN> because no identity-based
 * policy allows the <action> action`, or `... with an explicit deny in an identity-based policy`.
 */
export function accessDeniedMessage(
  sessionArn: string,
  action: string,
  resource: string,
  d: Extract<Decision, { allowed: false }>,
): string {
  const head = `User: ${sessionArn} is not authorized to perform: ${action} on resource: ${resource}`;
  const article = d.policyType === 'identity-based policy' ? 'an' : 'a';
  return d.kind === 'explicit'
    ? `${head} with an explicit deny in ${article} ${d.policyType}`
    : `${head} because no ${d.policyType} allows the ${action} action`;
}
