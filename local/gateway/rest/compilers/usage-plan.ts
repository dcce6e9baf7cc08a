/**
 * `AWS::ApiGateway::ApiKey`, `AWS::ApiGateway::UsagePlan` and `AWS::ApiGateway::UsagePlanKey`: keys (a key
 * without `Value` gets the caller's remembered value or a generated one), plans with their throttles, quotas,
 * API stages and keys.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { own } from '../dict';
import type { ApiKey, Throttle, UsagePlan } from '../model';
import {
  type CompileContext,
  hashId,
  isObj,
  props,
  refOf,
  resolveBool,
  resolveNumber,
  resolveString,
  toThrottle,
} from './cfn';

/** A random API key value: 40 alphanumeric characters, like the ones API Gateway generates. */
export function generateApiKeyValue(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(40);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

/** The template's API keys; `apiKeyValues` holds values for keys without `Value`, by logical id. */
export function compileApiKeys(c: CompileContext, apiKeyValues?: Readonly<Record<string, string>>): ApiKey[] {
  const { resolve } = c;
  const apiKeys: ApiKey[] = [];
  for (const [id, r] of c.byType('AWS::ApiGateway::ApiKey')) {
    const p = props(r);
    const value = resolveString(resolve, p['Value']) ?? own(apiKeyValues, id) ?? generateApiKeyValue();
    apiKeys.push({
      logicalId: id,
      id: resolveString(resolve, { Ref: id }) ?? hashId(`apikey/${id}`, 10),
      name: resolveString(resolve, p['Name']) ?? id,
      value,
      enabled: resolveBool(resolve, p['Enabled']) ?? false,
    });
  }

  return apiKeys;
}

/** The template's usage plans, with their keys. */
export function compileUsagePlans(c: CompileContext): UsagePlan[] {
  const { resolve, resources, warnings } = c;
  const stageNameOf = (v: unknown): string | undefined => {
    const ref = refOf(v);
    const target = ref ? resources[ref] : undefined;
    if (target?.Type === 'AWS::ApiGateway::Stage')
      return resolveString(resolve, target.Properties?.['StageName']);
    return resolveString(resolve, v);
  };
  const usagePlans: UsagePlan[] = [];
  for (const [id, r] of c.byType('AWS::ApiGateway::UsagePlan')) {
    const p = props(r);
    const t = isObj(p['Throttle']) ? p['Throttle'] : {};
    const q = isObj(p['Quota']) ? p['Quota'] : undefined;
    const stages: UsagePlan['stages'][number][] = [];
    const apiStages = Array.isArray(p['ApiStages']) ? p['ApiStages'] : [];
    for (const s of apiStages) {
      if (!isObj(s)) continue;
      const apiLogicalId = refOf(s['ApiId']);
      const stage = stageNameOf(s['Stage']);
      if (!apiLogicalId || !stage) continue;
      const methodThrottles = new Map<string, Throttle>();
      if (isObj(s['Throttle'])) {
        for (const [k, v] of Object.entries(s['Throttle'])) {
          if (!isObj(v)) continue;
          const th = toThrottle(resolve, v['RateLimit'], v['BurstLimit']);
          if (th) methodThrottles.set(k, th);
        }
      }
      stages.push({ apiLogicalId, stage, methodThrottles });
    }
    const limit = q ? resolveNumber(resolve, q['Limit']) : undefined;
    const period = q ? resolveString(resolve, q['Period']) : undefined;
    const throttle = toThrottle(resolve, t['RateLimit'], t['BurstLimit']);
    usagePlans.push({
      logicalId: id,
      ...(throttle ? { throttle } : {}),
      ...(limit !== undefined && (period === 'DAY' || period === 'WEEK' || period === 'MONTH')
        ? { quota: { limit, period, offset: resolveNumber(resolve, q?.['Offset']) ?? 0 } }
        : {}),
      stages,
      keyLogicalIds: [],
    });
  }
  for (const [id, r] of c.byType('AWS::ApiGateway::UsagePlanKey')) {
    const p = props(r);
    const plan = usagePlans.find((u) => u.logicalId === refOf(p['UsagePlanId']));
    const key = refOf(p['KeyId']);
    if (!plan || !key) {
      warnings.push(`UsagePlanKey ${id}: UsagePlanId or KeyId is not a resource of the template`);
      continue;
    }
    (plan.keyLogicalIds as string[]).push(key);
  }

  return usagePlans;
}
