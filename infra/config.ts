/**
 * The one typed configuration of the stack, read once at synth time from CDK context (`-c key=value`, `cdk.json`,
 * `CDK_CONTEXT_JSON`) or, failing that, from an `API_<KEY>` environment variable (`jwtIssuer` is `API_JWT_ISSUER`).
 * Every key has a documented default, so `npm run synth` works offline with no configuration at all.
 *
 * Values given on the command line arrive as strings (`-c throttleRate=20`), values from `cdk.json` or
 * `CDK_CONTEXT_JSON` may be typed (`"throttleRate": 20`): both are accepted. Lists take a JSON array or a
 * comma-separated string. Every problem is collected and reported at once by {@link ConfigError}.
 * @module
 */

/** How often a usage plan quota resets. */
export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

/** Log levels the Powertools logger understands. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The issuer used when none is configured: `.invalid` can never resolve (RFC 2606), so no token ever passes. */
export const PLACEHOLDER_ISSUER = 'https://issuer.invalid';

/** The validated configuration. Keys are the context keys. */
export interface ApiConfig {
  /**
   * Deployment stage: names the stack (`CrudApi-<stage>`) and the API Gateway stage. `prod` turns on data
   * protection defaults. Lower-case letters, digits and dashes.
   * @default 'dev'
   */
  readonly stage: string;
  /**
   * Browser origins allowed by CORS (`scheme://host[:port]`, no path), or `["*"]`.
   * @default ['http://localhost:3000']
   */
  readonly corsOrigins: readonly string[];
  /**
   * Steady-state requests per second, for the stage (every method) and for the usage plan (per API key).
   * @default 50
   */
  readonly throttleRate: number;
  /**
   * Burst capacity (token bucket size), for the stage and for the usage plan.
   * @default 100
   */
  readonly throttleBurst: number;
  /**
   * Requests one API key may make per {@link quotaPeriod}.
   * @default 100000
   */
  readonly quotaLimit: number;
  /** @default 'DAY' */
  readonly quotaPeriod: QuotaPeriod;
  /**
   * The JWT issuer (`iss`), e.g. `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. Must be https,
   * except on a loopback host (the offline twin's local issuer).
   * @default 'https://issuer.invalid' (a placeholder that rejects every token, with a synth warning)
   */
  readonly jwtIssuer: string;
  /**
   * The expected audience (`aud`); for a Cognito user pool, the app client id. Required when jwtIssuer is set.
   * @default 'crud-api' (only with the placeholder issuer)
   */
  readonly jwtAudience: string;
  /** @default `${jwtIssuer}/.well-known/jwks.json` */
  readonly jwksUrl: string;
  /**
   * The longest a token may live, in seconds: the authorizer refuses a token without `exp`, or whose
   * `exp - iat` (`exp - now` without `iat`) is longer, so a leaked token expires. 60 s of clock skew is allowed.
   * @default 86400 (1 day, the longest Cognito issues)
   */
  readonly jwtMaxLifetimeSeconds: number;
  /**
   * The claim holding the caller's tenant. Cognito user pools can only issue custom attributes as
   * `custom:<name>`, so use `-c tenantClaim=custom:tenant` there.
   * @default 'tenant'
   */
  readonly tenantClaim: string;
  /** Memory of every function, in MB (128 to 10240). @default 256 */
  readonly memorySize: number;
  /** Timeout of every function, in seconds. @default 10 */
  readonly timeoutSeconds: number;
  /** Reserved concurrency of every function. @default - none: functions share the account's pool */
  readonly reservedConcurrency?: number;
  /** DynamoDB deletion protection. @default true when stage is `prod`, else false */
  readonly deletionProtection: boolean;
  /** Retention of every log group, in days (one of {@link LOG_RETENTION_DAYS}). @default 30 */
  readonly logRetentionDays: number;
  /** `POWERTOOLS_LOG_LEVEL` of every function. @default 'INFO' */
  readonly logLevel: LogLevel;
  /** Put a WAF web ACL in front of the stage. @default false */
  readonly wafEnabled: boolean;
  /** Requests per 5 minutes one client IP may make before WAF blocks it (when WAF is on). @default 1000 */
  readonly wafRateLimit: number;
  /**
   * Ship source maps with each bundle and run with `--enable-source-maps`, so stack traces name `src/` lines.
   * @default true, except when stage is `prod`
   */
  readonly sourceMaps: boolean;
  /** Whether stage is `prod`. Derived. */
  readonly isProd: boolean;
  /** Whether jwtIssuer is the placeholder (no issuer configured). Derived. */
  readonly placeholderIssuer: boolean;
}

/** Every configuration problem found, one per line. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = new.target.name;
    this.problems = problems;
  }
}

/** Something legal but probably unintended; the stack shows it as a CDK annotation (`crud-api:<id>`). */
export interface ConfigWarning {
  readonly id: 'placeholder-issuer' | 'timeout-over-gateway-limit' | 'protected-table-destroyed';
  readonly message: string;
}

/** A configuration and the warnings it deserves. */
export interface LoadedConfig {
  readonly config: ApiConfig;
  readonly warnings: readonly ConfigWarning[];
}

/** Where raw values come from: a context lookup (e.g. `app.node.tryGetContext`) and an environment. */
export interface ConfigSources {
  readonly context: (key: string) => unknown;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The context keys this module reads. */
export const CONFIG_KEYS = [
  'stage',
  'corsOrigins',
  'throttleRate',
  'throttleBurst',
  'quotaLimit',
  'quotaPeriod',
  'jwtIssuer',
  'jwtAudience',
  'jwksUrl',
  'jwtMaxLifetimeSeconds',
  'tenantClaim',
  'memorySize',
  'timeoutSeconds',
  'reservedConcurrency',
  'deletionProtection',
  'logRetentionDays',
  'logLevel',
  'wafEnabled',
  'wafRateLimit',
  'sourceMaps',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** The environment variable that backs a context key: `jwtIssuer` is `API_JWT_ISSUER`. */
export function envName(key: ConfigKey): string {
  return `API_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const STAGE = /^[a-z][a-z0-9-]{0,19}$/;
const CLAIM = /^[A-Za-z0-9_:.-]{1,128}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Reads and validates the configuration; throws {@link ConfigError} listing every problem.
 * @example
 * const { config, warnings } = loadConfig({ context: (k) => app.node.tryGetContext(k) });
 */
export function loadConfig(sources: ConfigSources): LoadedConfig {
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const warnings: ConfigWarning[] = [];

  const raw = (key: ConfigKey): { value: unknown; from: string } | undefined => {
    const c = sources.context(key);
    if (c !== undefined && c !== null && c !== '') return { value: c, from: `context "${key}"` };
    const e = env[envName(key)];
    if (e !== undefined && e !== '') return { value: e, from: `env ${envName(key)}` };
    return undefined;
  };
  const bad = (key: ConfigKey, from: string, value: unknown, rule: string) =>
    problems.push(`${key}: ${rule}; got ${JSON.stringify(value)} (from ${from})`);

  const str = (key: ConfigKey, fallback: string, check?: (s: string) => string | undefined): string => {
    const r = raw(key);
    if (!r) return fallback;
    if (typeof r.value !== 'string') {
      bad(key, r.from, r.value, 'must be a string');
      return fallback;
    }
    const err = check?.(r.value);
    if (err) bad(key, r.from, r.value, err);
    return r.value;
  };
  const num = (key: ConfigKey, fallback: number, min: number, max: number, integer = true): number => {
    const r = raw(key);
    if (!r) return fallback;
    const n =
      typeof r.value === 'number'
        ? r.value
        : typeof r.value === 'string'
          ? Number(r.value.trim())
          : Number.NaN;
    const rule = `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
    if (
      (typeof r.value === 'string' && r.value.trim() === '') ||
      !Number.isFinite(n) ||
      (integer && !Number.isInteger(n)) ||
      n < min ||
      n > max
    ) {
      bad(key, r.from, r.value, rule);
      return fallback;
    }
    return n;
  };
  const bool = (key: ConfigKey, fallback: boolean): boolean => {
    const r = raw(key);
    if (!r) return fallback;
    if (r.value === true || r.value === 'true') return true;
    if (r.value === false || r.value === 'false') return false;
    bad(key, r.from, r.value, 'must be true or false');
    return fallback;
  };
  const oneOf = <T extends string>(key: ConfigKey, fallback: T, allowed: readonly T[]): T => {
    const r = raw(key);
    if (!r) return fallback;
    const v = typeof r.value === 'string' ? r.value.toUpperCase() : r.value;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    bad(key, r.from, r.value, `must be one of ${allowed.join(', ')}`);
    return fallback;
  };
  const list = (key: ConfigKey, fallback: readonly string[]): readonly string[] => {
    const r = raw(key);
    if (!r) return fallback;
    let v = r.value;
    if (typeof v === 'string') {
      const s = v.trim();
      if (s.startsWith('[')) {
        try {
          v = JSON.parse(s);
        } catch {
          bad(key, r.from, r.value, 'must be a JSON array of strings or a comma-separated list');
          return fallback;
        }
      } else {
        v = s
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x.length > 0);
      }
    }
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) {
      bad(key, r.from, r.value, 'must be a non-empty list of strings');
      return fallback;
    }
    return v;
  };
  /** https, or http on a loopback host; returns the problem or undefined. */
  const urlRule = (s: string): string | undefined => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return 'must be an absolute URL';
    }
    if (u.protocol === 'https:') return undefined;
    if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return undefined;
    return 'must use https (http is accepted only on localhost, for the offline twin)';
  };

  const stage = str('stage', 'dev', (s) =>
    STAGE.test(s) ? undefined : `must match ${STAGE} (it names the stack and the API stage)`,
  );
  const isProd = stage === 'prod';

  const corsOrigins = list('corsOrigins', ['http://localhost:3000']);
  for (const o of corsOrigins) {
    if (o === '*') {
      if (corsOrigins.length > 1) problems.push('corsOrigins: "*" must be the only entry when used');
      continue;
    }
    let origin: string | undefined;
    try {
      origin = new URL(o).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== o) {
      problems.push(
        `corsOrigins: ${JSON.stringify(o)} is not an origin (scheme://host[:port], no path or trailing slash)`,
      );
    }
  }

  const throttleRate = num('throttleRate', 50, 0.001, 1_000_000, false);
  const throttleBurst = num('throttleBurst', 100, 1, 1_000_000);
  const quotaLimit = num('quotaLimit', 100_000, 1, 2_000_000_000);
  const quotaPeriod = oneOf<QuotaPeriod>('quotaPeriod', 'DAY', ['DAY', 'WEEK', 'MONTH']);

  const issuerGiven = raw('jwtIssuer') !== undefined;
  const jwtIssuer = str('jwtIssuer', PLACEHOLDER_ISSUER, urlRule);
  const placeholderIssuer = !issuerGiven;
  const audienceGiven = raw('jwtAudience') !== undefined;
  const jwtAudience = str('jwtAudience', 'crud-api', (s) => (s.trim() ? undefined : 'must not be blank'));
  if (issuerGiven && !audienceGiven) {
    problems.push(
      'jwtAudience: required when jwtIssuer is set (for a Cognito user pool, the app client id); ' +
        `set -c jwtAudience=... or ${envName('jwtAudience')}`,
    );
  }
  const jwksUrl = str('jwksUrl', `${jwtIssuer.replace(/\/+$/, '')}/.well-known/jwks.json`, urlRule);
  const jwtMaxLifetimeSeconds = num('jwtMaxLifetimeSeconds', 86_400, 60, 31 * 86_400);
  if (placeholderIssuer) {
    warnings.push({
      id: 'placeholder-issuer',
      message:
        `No JWT issuer configured: the authorizer uses the placeholder ${PLACEHOLDER_ISSUER} and rejects every ` +
        'token. Deploy with -c jwtIssuer=<issuer URL> -c jwtAudience=<audience> (see docs/deploy.md).',
    });
  }
  const tenantClaim = str('tenantClaim', 'tenant', (s) =>
    CLAIM.test(s) ? undefined : `must match ${CLAIM} (e.g. tenant or custom:tenant)`,
  );

  const memorySize = num('memorySize', 256, 128, 10_240);
  const timeoutSeconds = num('timeoutSeconds', 10, 1, 900);
  if (timeoutSeconds > 29) {
    warnings.push({
      id: 'timeout-over-gateway-limit',
      message:
        `timeoutSeconds is ${timeoutSeconds}: API Gateway REST integrations time out after 29 s by default, ` +
        'so the client gets a 504 before the function gives up.',
    });
  }
  const reservedConcurrency = raw('reservedConcurrency')
    ? num('reservedConcurrency', 1, 1, 100_000)
    : undefined;
  const deletionProtection = bool('deletionProtection', isProd);
  if (deletionProtection && !isProd) {
    warnings.push({
      id: 'protected-table-destroyed',
      message:
        `deletionProtection is on for stage "${stage}": the table is removed on destroy outside prod, ` +
        'so "npm run destroy" will fail until protection is turned off.',
    });
  }
  const logRetentionDays = num('logRetentionDays', 30, 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    problems.push(
      `logRetentionDays: must be one of ${LOG_RETENTION_DAYS.join(', ')}; got ${logRetentionDays}`,
    );
  }
  const logLevel = oneOf<LogLevel>('logLevel', 'INFO', ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']);
  const wafEnabled = bool('wafEnabled', false);
  const wafRateLimit = num('wafRateLimit', 1000, 10, 2_000_000_000);
  const sourceMaps = bool('sourceMaps', !isProd);

  if (problems.length > 0) throw new ConfigError(problems);
  const config: ApiConfig = {
    stage,
    corsOrigins,
    throttleRate,
    throttleBurst,
    quotaLimit,
    quotaPeriod,
    jwtIssuer,
    jwtAudience,
    jwksUrl,
    jwtMaxLifetimeSeconds,
    tenantClaim,
    memorySize,
    timeoutSeconds,
    ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
    deletionProtection,
    logRetentionDays,
    logLevel,
    wafEnabled,
    wafRateLimit,
    sourceMaps,
    isProd,
    placeholderIssuer,
  };
  return { config, warnings };
}
