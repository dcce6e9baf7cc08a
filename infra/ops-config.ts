/**
 * The operations half of the configuration: alarm thresholds and where alarms go, tracing, the metrics
 * namespace, and the deploy guard's override. Read like `config.ts` (context `-c key=value`, then
 * `API_<KEY>`), validated at synth time, every problem reported at once by {@link ConfigError}; kept apart
 * from `config.ts` so that the API's own settings and the on-call settings change independently.
 * @module
 */
import { ConfigError } from './config';

/** Validated operations configuration. Keys are the context keys. */
export interface OpsConfig {
  /** E-mail address subscribed to the alarm topic (confirm the subscription mail). @default - none */
  readonly alarmEmail?: string;
  /** An existing SNS topic for the alarms, instead of (or as well as) the e-mail one. @default - none */
  readonly alarmTopicArn?: string;
  /** Length of one alarm evaluation period, in minutes. @default 5 */
  readonly alarmPeriodMinutes: number;
  /** Errors of one function in a period that raise its alarm. @default 1 */
  readonly alarmFunctionErrors: number;
  /** Throttled invocations of one function in a period that raise its alarm. @default 1 */
  readonly alarmFunctionThrottles: number;
  /** Percentage of requests answered 5xx in a period. @default 1 */
  readonly alarmApi5xxPercent: number;
  /** Percentage of requests answered 4xx in a period (401/403/429 from the gateway included). @default 25 */
  readonly alarmApi4xxPercent: number;
  /** Requests a period needs before the rate alarms judge it, so one failed request at night is no page. @default 20 */
  readonly alarmMinRequests: number;
  /** p99 of the gateway's `Latency` over a period, in ms. @default 1000 */
  readonly alarmLatencyP99Ms: number;
  /** DynamoDB throttled requests in a period. @default 1 */
  readonly alarmDynamoThrottles: number;
  /** DynamoDB system errors (HTTP 500 from DynamoDB) in a period. @default 1 */
  readonly alarmDynamoSystemErrors: number;
  /** Maximum age of the last stream record the history consumer read, in seconds. @default 300 */
  readonly alarmIteratorAgeSeconds: number;
  /** X-Ray active tracing on every function and on the API stage. @default false */
  readonly tracing: boolean;
  /** CloudWatch namespace of the functions' EMF metrics. @default `CrudApi/<stage>` */
  readonly metricsNamespace: string;
  /** Let a stage other than `local` synthesize with the placeholder issuer. @default false */
  readonly allowPlaceholderIssuer: boolean;
}

/** The context keys this module reads. */
export const OPS_CONFIG_KEYS = [
  'alarmEmail',
  'alarmTopicArn',
  'alarmPeriodMinutes',
  'alarmFunctionErrors',
  'alarmFunctionThrottles',
  'alarmApi5xxPercent',
  'alarmApi4xxPercent',
  'alarmMinRequests',
  'alarmLatencyP99Ms',
  'alarmDynamoThrottles',
  'alarmDynamoSystemErrors',
  'alarmIteratorAgeSeconds',
  'tracing',
  'metricsNamespace',
  'allowPlaceholderIssuer',
] as const;
export type OpsConfigKey = (typeof OPS_CONFIG_KEYS)[number];

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
// CloudWatch namespaces: 1-255 of these characters, and the `AWS/` prefix is reserved.
const NAMESPACE = /^(?!AWS\/)[A-Za-z0-9.\-_/#:]{1,255}$/;

/** Where raw values come from, as for `loadConfig`. */
export interface OpsConfigSources {
  readonly context: (key: string) => unknown;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The validated stage, for the default namespace. */
  readonly stage: string;
}

/** Reads and validates the operations configuration; throws {@link ConfigError} listing every problem. */
export function loadOpsConfig(sources: OpsConfigSources): OpsConfig {
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const raw = (key: OpsConfigKey): { value: unknown; from: string } | undefined => {
    const c = sources.context(key);
    if (c !== undefined && c !== null && c !== '') return { value: c, from: `context "${key}"` };
    const name = `API_${key.replace(/[A-Z]/g, (x) => `_${x}`).toUpperCase()}`;
    const e = env[name];
    return e !== undefined && e !== '' ? { value: e, from: `env ${name}` } : undefined;
  };
  const bad = (key: OpsConfigKey, r: { value: unknown; from: string }, rule: string) =>
    problems.push(`${key}: ${rule}; got ${JSON.stringify(r.value)} (from ${r.from})`);
  const num = (key: OpsConfigKey, fallback: number, min: number, max: number): number => {
    const r = raw(key);
    if (!r) return fallback;
    const n = typeof r.value === 'number' ? r.value : Number(String(r.value).trim());
    if (String(r.value).trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      bad(key, r, `must be a number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const bool = (key: OpsConfigKey): boolean => {
    const r = raw(key);
    if (!r || r.value === false || r.value === 'false') return false;
    if (r.value === true || r.value === 'true') return true;
    bad(key, r, 'must be true or false');
    return false;
  };
  const str = (key: OpsConfigKey, pattern: RegExp, rule: string): string | undefined => {
    const r = raw(key);
    if (!r) return undefined;
    if (typeof r.value === 'string' && pattern.test(r.value)) return r.value;
    bad(key, r, rule);
    return undefined;
  };

  const alarmEmail = str('alarmEmail', EMAIL, 'must be an e-mail address');
  const alarmTopicArn = str('alarmTopicArn', TOPIC_ARN, 'must be an SNS topic ARN');
  const config: OpsConfig = {
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(alarmTopicArn ? { alarmTopicArn } : {}),
    alarmPeriodMinutes: num('alarmPeriodMinutes', 5, 1, 60),
    alarmFunctionErrors: num('alarmFunctionErrors', 1, 1, 1_000_000),
    alarmFunctionThrottles: num('alarmFunctionThrottles', 1, 1, 1_000_000),
    alarmApi5xxPercent: num('alarmApi5xxPercent', 1, 0.01, 100),
    alarmApi4xxPercent: num('alarmApi4xxPercent', 25, 0.01, 100),
    alarmMinRequests: num('alarmMinRequests', 20, 0, 1_000_000_000),
    alarmLatencyP99Ms: num('alarmLatencyP99Ms', 1000, 1, 29_000),
    alarmDynamoThrottles: num('alarmDynamoThrottles', 1, 1, 1_000_000),
    alarmDynamoSystemErrors: num('alarmDynamoSystemErrors', 1, 1, 1_000_000),
    alarmIteratorAgeSeconds: num('alarmIteratorAgeSeconds', 300, 1, 7 * 24 * 3600),
    tracing: bool('tracing'),
    metricsNamespace:
      str('metricsNamespace', NAMESPACE, `must match ${NAMESPACE} (AWS/ is reserved)`) ??
      `CrudApi/${sources.stage}`,
    allowPlaceholderIssuer: bool('allowPlaceholderIssuer'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
