/**
 * One DynamoDB request authorized against one function's role: the step the IAM proxy (`proxy.ts`, on the
 * twin's main thread) and the guard inside each Lambda environment (`guard.ts`) share, so both answer a call
 * the same way, with the same denial body and the same log line.
 *
 * Pure apart from the per-principal decision cache; no I/O.
 * @module
 */
import { type ArnContext, DYNAMODB_TARGET_PREFIX, requiredPermissions } from './actions';
import { accessDeniedMessage, type Decision, evaluate } from './evaluate';
import type { FunctionPrincipal } from './principals';

/** A principal with its memoised decisions (per action and resource). */
export interface BoundPrincipal {
  readonly principal: FunctionPrincipal;
  readonly decisions: Map<string, Decision>;
}

export type Verdict =
  /** Forward the call. `unchecked`: the twin could not authorize it; `warn` says why (once per `key`). */
  | {
      readonly allowed: true;
      readonly unchecked?: true;
      readonly warn?: { readonly key: string; readonly line: string };
    }
  /** Answer with DynamoDB's `AccessDeniedException` (HTTP 400) and log `line`. */
  | { readonly allowed: false; readonly body: Record<string, string>; readonly line: string };

const CACHE_LIMIT = 10_000;
const ALLOWED: Verdict = { allowed: true };
const UNCHECKED: Verdict = { allowed: true, unchecked: true };

export const bind = (principal: FunctionPrincipal): BoundPrincipal => ({ principal, decisions: new Map() });

function decide(b: BoundPrincipal, action: string, resource: string): Decision {
  const key = `${action} ${resource}`;
  let d = b.decisions.get(key);
  if (!d) {
    if (b.decisions.size >= CACHE_LIMIT) b.decisions.clear();
    d = evaluate(b.principal.policies, action, resource);
    b.decisions.set(key, d);
  }
  return d;
}

/**
 * The verdict on one request: `target` is its `X-Amz-Target`, `body` its JSON text.
 * @example
 * const v = authorize(bind(principal), 'DynamoDB_20120810.GetItem', '{"TableName":"T","Key":{}}', ctx);
 * if (!v.allowed) reply(400, v.body);
 */
export function authorize(b: BoundPrincipal, target: string, body: string, ctx: ArnContext): Verdict {
  const { principal } = b;
  if (!principal.enforced) return UNCHECKED;
  if (!target.startsWith(DYNAMODB_TARGET_PREFIX)) {
    return {
      allowed: true,
      unchecked: true,
      warn: {
        key: target,
        line: `warning: IAM: ${target || '(no X-Amz-Target)'} is not checked by the twin; forwarded`,
      },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const needed = requiredPermissions(target, json, ctx);
  if (!needed) {
    return {
      allowed: true,
      unchecked: true,
      warn: {
        key: `${target}?`,
        line: `warning: IAM: could not tell what ${target} needs from its request; forwarded unchecked (${principal.functionLogicalId})`,
      },
    };
  }
  for (const { action, resource } of needed) {
    const d = decide(b, action, resource);
    if (d.allowed) continue;
    const why =
      d.kind === 'explicit'
        ? `denied by ${d.by?.source ?? 'a Deny statement'}`
        : d.policyType === 'permissions boundary'
          ? 'the permissions boundary does not allow it'
          : `no statement of role ${principal.roleName} allows it${
              d.conditionalAllow
                ? ` (${d.conditionalAllow.source} might, but its Condition is not evaluated locally)`
                : ''
            }`;
    return {
      allowed: false,
      line: `IAM denied ${principal.functionLogicalId} (${principal.functionName}): ${action} on ${resource}: ${why}. On AWS this call fails with AccessDeniedException; grant it to the function's role (or run the twin with --no-iam).`,
      body: {
        __type: 'com.amazon.coral.service#AccessDeniedException',
        Message: accessDeniedMessage(principal.sessionArn, action, resource, d),
      },
    };
  }
  return ALLOWED;
}
