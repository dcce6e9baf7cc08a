/**
 * API keys, usage plans and throttles, in API Gateway's order: the key (and its plan for the stage), the plan's
 * throttle (or its per-method one), the quota, the stage's method throttle, the account's.
 * @module
 */

import type { Mount } from './mounts';
import type { AuthorizerAnswer } from './rest/authorizer';
import { GATEWAY_MESSAGES, type GatewayErrorType } from './rest/gateway-responses';
import type { ApiKey, Method, UsagePlan } from './rest/model';
import { Buckets, KeyIndex, Quotas, stageThrottleFor } from './rest/usage';

/** Account-level throttle per Region, by default (steady-state rate, burst). */
export const ACCOUNT_THROTTLE = { rateLimit: 10_000, burstLimit: 5_000 } as const;

/** Why the gateway answers a request itself: the gateway response, its message, and the log's reason. */
export interface Refusal {
  readonly type: GatewayErrorType;
  readonly message: string;
  readonly reason: string;
}

/** What the metering of one request looks at. */
export interface MeterInput {
  readonly mount: Mount;
  readonly method: Method;
  readonly httpMethod: string;
  /** The request's `x-api-key` header. */
  readonly apiKeyHeader: string | undefined;
  readonly answer: AuthorizerAnswer | undefined;
}

/** The usage state of a gateway: buckets and quotas, by key. */
export class Meter {
  private readonly keyIndex: KeyIndex;
  private readonly buckets = new Buckets();
  private readonly quotas: Quotas;

  constructor(
    keys: readonly ApiKey[],
    plans: readonly UsagePlan[],
    private readonly now: () => number,
  ) {
    this.keyIndex = new KeyIndex(keys, plans);
    this.quotas = new Quotas(now());
  }

  /**
   * The API key and usage plan checks (key, plan throttle, quota), then the stage's method throttle and the
   * account's; fills `identity` with the key. A refusal says why.
   */
  check(input: MeterInput, identity: { apiKey?: string; apiKeyId?: string }): Refusal | undefined {
    const { mount, method, answer } = input;
    const { keyIndex, buckets, quotas } = this;
    const t = this.now();
    const methodName = `'${input.httpMethod} ${method.resource.path}'`;
    const apiStage = `${mount.api.apiId}/${mount.stage.name}`;
    const throttled = (what: string): Refusal => ({
      type: 'THROTTLED',
      message: GATEWAY_MESSAGES.tooManyRequests,
      reason: `Throttling limit exceeded: ${what}`,
    });
    if (method.apiKeyRequired) {
      const value = mount.api.apiKeySource === 'AUTHORIZER' ? answer?.usageIdentifierKey : input.apiKeyHeader;
      const found = value ? keyIndex.lookup(value, mount.api.logicalId, mount.stage.name) : undefined;
      if (!found) {
        const why = !value
          ? `API Key not authorized because method ${methodName} requires API Key and none was sent${mount.api.apiKeySource === 'AUTHORIZER' ? ' by the authorizer (usageIdentifierKey)' : ' (x-api-key header)'}`
          : keyIndex.explain(value, mount.api.logicalId, mount.stage.name, methodName, apiStage);
        return { type: 'INVALID_API_KEY', message: GATEWAY_MESSAGES.forbidden, reason: why };
      }
      identity.apiKey = found.key.value;
      identity.apiKeyId = found.key.id;
      const planStage = found.plan.stages.find(
        (s) => s.apiLogicalId === mount.api.logicalId && s.stage === mount.stage.name,
      );
      const methodThrottle = planStage?.methodThrottles.get(`${method.resource.path}/${input.httpMethod}`);
      const who = `${found.plan.logicalId}\u0000${found.key.logicalId}`;
      const plan = `usage plan ${found.plan.logicalId}, API Key ${found.key.logicalId}`;
      if (methodThrottle) {
        const k = `plan-method\u0000${who}\u0000${mount.api.logicalId}\u0000${mount.stage.name}\u0000${method.resource.path}\u0000${input.httpMethod}`;
        if (!buckets.take(k, methodThrottle, t)) return throttled(`${plan}, method ${methodName}`);
      } else if (found.plan.throttle && !buckets.take(`plan\u0000${who}`, found.plan.throttle, t)) {
        return throttled(plan);
      }
      if (found.plan.quota && !quotas.take(who, found.plan.quota, t)) {
        const q = found.plan.quota;
        return {
          type: 'QUOTA_EXCEEDED',
          message: GATEWAY_MESSAGES.limitExceeded,
          reason: `Quota exceeded for ${plan}: ${q.limit} requests per ${q.period}`,
        };
      }
    }
    const stageThrottle = stageThrottleFor(
      mount.stage.methodThrottles,
      method.resource.path,
      input.httpMethod,
    );
    const stageKey = `stage\u0000${mount.api.logicalId}\u0000${mount.stage.name}\u0000${method.resource.path}\u0000${input.httpMethod}`;
    if (stageThrottle && !buckets.take(stageKey, stageThrottle, t))
      return throttled(`stage ${apiStage} method settings for ${methodName}`);
    if (!buckets.take('account', ACCOUNT_THROTTLE, t)) return throttled('account level');
    return undefined;
  }
}
