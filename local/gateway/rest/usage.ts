/**
 * API keys, usage plans and throttling: the token buckets (rate, burst) API Gateway throttles with, usage plan
 * quotas per key, and the lookup from a key value to its plan for a stage.
 * @module
 */
import type { ApiKey, Throttle, UsagePlan } from './model';

/** A token bucket: `burst` tokens at most, refilled at `rate` per second; one request takes one token. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly throttle: Throttle,
    now: number,
  ) {
    this.tokens = throttle.burstLimit;
    this.last = now;
  }

  /** Takes a token; `false` when the bucket is empty (429). */
  take(now: number): boolean {
    const { rateLimit, burstLimit } = this.throttle;
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens =
      rateLimit === Number.POSITIVE_INFINITY
        ? burstLimit
        : Math.min(burstLimit, this.tokens + elapsed * rateLimit);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Token buckets by key, created on first use. */
export class Buckets {
  private readonly map = new Map<string, TokenBucket>();

  take(key: string, throttle: Throttle, now: number): boolean {
    let b = this.map.get(key);
    if (!b) {
      b = new TokenBucket(throttle, now);
      this.map.set(key, b);
    }
    return b.take(now);
  }
}

/** The start (epoch ms, UTC) of the quota period containing `now`: day, week (from Sunday) or calendar month. */
export function periodStart(period: 'DAY' | 'WEEK' | 'MONTH', now: number): number {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  if (period === 'WEEK') return day - d.getUTCDay() * 86_400_000;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Request counts per plan and key within the current quota period. */
export class Quotas {
  private readonly used = new Map<string, { start: number; count: number }>();

  /** `createdAt` starts the "initial time period", in which `offset` requests count as already made. */
  constructor(private readonly createdAt: number) {}

  /** Counts a request; `false` when the quota of the period is used up (429 Limit Exceeded). */
  take(key: string, quota: NonNullable<UsagePlan['quota']>, now: number): boolean {
    const start = periodStart(quota.period, now);
    let u = this.used.get(key);
    if (!u || u.start !== start) {
      u = { start, count: start === periodStart(quota.period, this.createdAt) ? quota.offset : 0 };
      this.used.set(key, u);
    }
    if (u.count >= quota.limit) return false;
    u.count += 1;
    return true;
  }
}

/** The usage plan a key is in for a stage, by key value. */
export class KeyIndex {
  private readonly byValue = new Map<string, ApiKey>();
  private readonly plans: readonly UsagePlan[];

  constructor(keys: readonly ApiKey[], plans: readonly UsagePlan[]) {
    for (const k of keys) this.byValue.set(k.value, k);
    this.plans = plans;
  }

  /** The enabled key with this value and the plan it has for the API stage, or `undefined` (403 Forbidden). */
  lookup(value: string, apiLogicalId: string, stage: string): { key: ApiKey; plan: UsagePlan } | undefined {
    const key = this.byValue.get(value);
    if (!key?.enabled) return undefined;
    const plan = this.plans.find(
      (p) =>
        p.keyLogicalIds.includes(key.logicalId) &&
        p.stages.some((s) => s.apiLogicalId === apiLogicalId && s.stage === stage),
    );
    return plan ? { key, plan } : undefined;
  }

  /**
   * Why {@link lookup} found nothing for a key value, in the words of API Gateway's execution log. `method` is
   * `'GET /items'`, `apiStage` is `<apiId>/<stage>`.
   */
  explain(value: string, apiLogicalId: string, stage: string, method: string, apiStage: string): string {
    const key = this.byValue.get(value);
    const masked = `****${value.slice(-4)}`;
    if (!key) return `Invalid API Key identifier specified (${masked})`;
    if (!key.enabled) return `API Key ${key.id} (${masked}) is disabled`;
    if (this.lookup(value, apiLogicalId, stage)) return `API Key ${key.id} is authorized`;
    return `API Key ${key.id} not authorized because method ${method} requires API Key and API Key is not associated with a Usage Plan for API Stage ${apiStage}`;
  }
}

/** The stage `MethodSettings` throttle for a method: the most specific setting (`/path` + METHOD over `/*` + `*`). */
export function stageThrottleFor(
  settings: readonly { resourcePath: string; httpMethod: string; throttle: Throttle }[],
  resourcePath: string,
  httpMethod: string,
): Throttle | undefined {
  let best: { score: number; throttle: Throttle } | undefined;
  for (const s of settings) {
    const pathOk = s.resourcePath === '/*' || s.resourcePath === resourcePath;
    const methodOk = s.httpMethod === '*' || s.httpMethod === httpMethod;
    if (!pathOk || !methodOk) continue;
    const score = (s.resourcePath === '/*' ? 0 : 2) + (s.httpMethod === '*' ? 0 : 1);
    if (!best || score > best.score) best = { score, throttle: s.throttle };
  }
  return best?.throttle;
}
