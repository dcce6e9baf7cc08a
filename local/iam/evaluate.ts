/**
 * The twin's one IAM policy evaluator: function roles (DynamoDB actions on table ARNs), Lambda authorizer
 * policies (`execute-api:Invoke` on method ARNs), and anything else that asks "does this set of policies allow
 * this action on this resource".
 *
 * Follows "Policy evaluation logic" (IAM User Guide) for a principal in its own account with identity-based
 * policies and, optionally, a permissions boundary: an explicit `Deny` in any of them wins; otherwise the
 * identity-based policies must `Allow` the action on the resource, and so must the boundary when there is one;
 * otherwise the request is implicitly denied.
 *
 * Matching ("IAM JSON policy elements: Action" and "...: Resource"):
 * - `Action`/`NotAction`: case-insensitive, `*` any run of characters, `?` one character.
 * - `Resource`/`NotResource`: case-sensitive, compared as ARNs. An ARN has six colon-separated segments, the
 *   last (the resource) being the rest of the string, colons included. In the first five, `*` and `?` stay
 *   inside their segment, except that a `*` ending a segment may expand beyond the colons ("If the * wildcard
 *   is the last character of a resource ARN segment, it can expand to match beyond the colon boundaries").
 *   In the resource segment they match any character, `/` and `:` included (`/` is "treated the same as any
 *   other valid character"; API Gateway matches `.../POST/foo/*\/baz` against `.../POST/foo/bar:bar/baz`,
 *   dherault/serverless-offline#560). So `*` alone matches everything, and `*\/GET/*` matches no ARN.
 *
 * Not evaluated: `Condition`. The twin has no request context for most keys, so it does the strict thing and
 * says so: a conditional `Allow` grants nothing, a conditional `Deny` applies. Policy variables
 * (`${aws:username}`) are matched literally. `Principal`/`NotPrincipal` are not read (identity-based policies
 * have none). Pure; compile once, evaluate per request.
 * @module
 */
import type { Log } from '../types';

/** A policy document as written, intrinsics resolved ("IAM JSON policy element reference"). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** One statement as written: exactly one of `Action`/`NotAction`, and one of `Resource`/`NotResource`. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, unknown>>;
}

/** A statement ready to match: its patterns compiled (structured-cloneable, so it can travel to a worker). */
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
  /** The permissions boundary, when the principal has one the twin could read. */
  readonly boundary?: readonly CompiledStatement[];
}

/** The outcome of one (action, resource) request. */
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

/** Something in a policy the reader could not take as written. */
export interface PolicyIssue {
  /** `<where>: <what>`, for a log line. */
  readonly message: string;
  /**
   * `dropped`: the statement (or the whole document) is ignored; `kept`: the statement stays, with this part
   * never matching; `literal`: a policy variable, matched as written.
   */
  readonly outcome: 'dropped' | 'kept' | 'literal';
  /** The document itself is unusable (not an object, or no `Statement`). */
  readonly document?: true;
}

/** What {@link readPolicy} made of a document. */
export interface ReadPolicy {
  readonly statements: CompiledStatement[];
  readonly issues: PolicyIssue[];
}

const escapeRe = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** An `Action` pattern: case-insensitive, `*` any run, `?` one character. */
export function actionPattern(p: string): RegExp {
  return new RegExp(`^${escapeRe(p).replaceAll('*', '.*').replaceAll('?', '.')}$`, 'is');
}

/** The six segments of an ARN (or ARN pattern); the sixth keeps its colons. Fewer when it has fewer colons. */
export function arnSegments(arn: string): string[] {
  const parts = arn.split(':');
  return parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function segmentRe(seg: string, resourceSegment: boolean): string {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '*') re += resourceSegment || i === seg.length - 1 ? '.*' : '[^:]*';
    else if (c === '?') re += resourceSegment ? '.' : '[^:]';
    else re += escapeRe(c);
  }
  return re;
}

/**
 * A `Resource` pattern as a whole-string regex, case-sensitive: see the module notes for the segment rules.
 * @example
 * resourcePattern('arn:aws:execute-api:*:*:api/*\/GET/*').test('arn:aws:execute-api:eu-west-1:1:api/dev/GET/x') // true
 */
export function resourcePattern(p: string): RegExp {
  const re = arnSegments(p)
    .map((seg, i) => segmentRe(seg, i === 5))
    .join(':');
  return new RegExp(`^${re}$`, 's');
}

const list = (v: unknown): unknown[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function sourceOf(name: string, i: number, st: Readonly<Record<string, unknown>>): string {
  const sid = st['Sid'];
  return `${name} statement ${i + 1}${typeof sid === 'string' && sid ? ` (${sid})` : ''}`;
}

/** Compiles one statement, or says why it cannot be; `issues` collects what is kept with a caveat. */
function readStatement(raw: unknown, source: string, issues: PolicyIssue[]): CompiledStatement | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'is not an object';
  const st = raw as Readonly<Record<string, unknown>>;
  const effect = st['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') return `Effect ${text(effect)} is neither Allow nor Deny`;
  const act = list(st['Action']);
  const notAct = list(st['NotAction']);
  const res = list(st['Resource']);
  const notRes = list(st['NotResource']);
  if (!act === !notAct || !res === !notRes)
    return 'needs exactly one of Action/NotAction and of Resource/NotResource';
  for (const a of [...(act ?? []), ...(notAct ?? [])]) {
    if (typeof a !== 'string')
      issues.push({ message: `${source}: action ${text(a)} is not a string`, outcome: 'kept' });
  }
  for (const r of [...(res ?? []), ...(notRes ?? [])]) {
    if (typeof r !== 'string')
      issues.push({ message: `${source}: resource ${text(r)} did not resolve to a string`, outcome: 'kept' });
    else if (r.includes('${'))
      issues.push({ message: `${source}: policy variable in ${r} is matched literally`, outcome: 'literal' });
  }
  const cond = st['Condition'];
  // A Condition that is not an object is malformed: treated as a condition, the strict reading.
  const conditional =
    cond !== undefined && (typeof cond !== 'object' || cond === null || Object.keys(cond).length > 0);
  return {
    effect,
    ...(act ? { actions: act.map((a) => actionPattern(text(a))) } : {}),
    ...(notAct ? { notActions: notAct.map((a) => actionPattern(text(a))) } : {}),
    ...(res ? { resources: res.map((r) => resourcePattern(text(r))) } : {}),
    ...(notRes ? { notResources: notRes.map((r) => resourcePattern(text(r))) } : {}),
    conditional,
    source,
  };
}

/**
 * Reads a policy document (intrinsics already resolved) into compiled statements, and says what it could not
 * take as written. Callers choose how strict to be: a role's policies skip what is malformed (the twin must
 * start, and a skipped Allow only makes it stricter); an authorizer's policy with any issue is unusable.
 */
export function readPolicy(document: unknown, name: string): ReadPolicy {
  const issues: PolicyIssue[] = [];
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    return {
      statements: [],
      issues: [{ message: `${name}: is not an object`, outcome: 'dropped', document: true }],
    };
  const raw = list((document as { Statement?: unknown }).Statement);
  if (!raw)
    return {
      statements: [],
      issues: [{ message: `${name}: has no Statement`, outcome: 'dropped', document: true }],
    };
  const statements: CompiledStatement[] = [];
  raw.forEach((s, i) => {
    const st = typeof s === 'object' && s !== null ? (s as Readonly<Record<string, unknown>>) : {};
    const source = sourceOf(name, i, st);
    const r = readStatement(s, source, issues);
    if (typeof r === 'string') issues.push({ message: `${source}: ${r}`, outcome: 'dropped' });
    else statements.push(r);
  });
  return { statements, issues };
}

/**
 * A role's policy document, compiled leniently: malformed statements are skipped and every caveat is logged as
 * a warning (a document with no statements grants nothing, silently, as an empty policy would).
 */
export function compilePolicy(document: unknown, name: string, log: Log = () => {}): CompiledStatement[] {
  const { statements, issues } = readPolicy(document, name);
  for (const issue of issues) {
    if (issue.document) continue;
    log(`warning: IAM: ${issue.message}${issue.outcome === 'dropped' ? '; statement ignored' : ''}`);
  }
  return statements;
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

/**
 * Evaluates one (action, resource) against a principal's policies.
 * @example
 * evaluate({ identity: compilePolicy(doc, 'P') }, 'execute-api:Invoke', methodArn).allowed
 */
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
