/**
 * The Lambda REQUEST authorizer: verifies the `Authorization: Bearer <JWT>` against the issuer's JWKS
 * (signature, `iss`, `exp`/`nbf`/`iat`, audience as `aud` or, for Cognito access tokens, `client_id`) and
 * returns a policy for the whole stage, so that API Gateway's cached result serves every route, with the
 * principal and tenant in its context for the handlers. A bad or missing token is a 401 (`Unauthorized`); a
 * valid token without a tenant claim is a 403 (Deny).
 *
 * `exp` is required and a token may live at most `JWT_MAX_LIFETIME_SECONDS` (`exp - iat`, or `exp - now`
 * without `iat`), so a leaked token cannot be valid forever; {@link CLOCK_SKEW_SECONDS} of skew is allowed on
 * `exp`, `nbf` and `iat` (see docs/deploy.md).
 * @module
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { type JWTPayload, jwtVerify } from 'jose';
import { TENANT_PATTERN } from '../store/table-design';
import { remoteKeySet } from './jwks';
import { log } from './logger';

/** Leeway for the issuer's clock against ours, on `exp`, `nbf` and `iat` (RFC 7519 4.1.4: "a few minutes"). */
export const CLOCK_SKEW_SECONDS = 60;

/** The longest a token may live when `JWT_MAX_LIFETIME_SECONDS` is not set (Cognito's longest: 1 day). */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

function required(key: string): string {
  const v = process.env[key];
  if (!v) throw new Error(`environment variable ${key} is required`);
  return v;
}

function positiveInteger(key: string, fallback: number): number {
  const v = process.env[key];
  if (!v) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`environment variable ${key} must be a positive integer`);
  return n;
}

/**
 * Why a verified token's lifetime is not acceptable at `now` (epoch seconds), or undefined when it is:
 * `exp` is required, `iat` must not be in the future, and `exp - iat` (`exp - now` without `iat`) is at most
 * `maxLifetime`. jose has already checked `exp` and `nbf` against the clock with the same skew.
 */
export function lifetimeProblem(
  p: Pick<JWTPayload, 'exp' | 'iat'>,
  now: number,
  maxLifetime: number,
  skew = CLOCK_SKEW_SECONDS,
): string | undefined {
  if (typeof p.exp !== 'number') return 'no exp';
  if (p.iat !== undefined && p.iat > now + skew) return 'iat in the future';
  const lifetime = p.exp - (p.iat ?? now);
  if (lifetime > maxLifetime + skew) return `lifetime ${lifetime} s over ${maxLifetime} s`;
  return undefined;
}

const issuer = required('JWT_ISSUER');
const audience = process.env.JWT_AUDIENCE ?? '';
const tenantClaim = process.env.TENANT_CLAIM || 'tenant';
const maxLifetime = positiveInteger('JWT_MAX_LIFETIME_SECONDS', DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
const jwks = remoteKeySet(
  new URL(process.env.JWKS_URL || `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`),
  {
    timeoutMs: 3000,
  },
);

/** `arn:aws:execute-api:region:account:api/stage/METHOD/path` -> the same ARN for every method and path. */
function stageWide(methodArn: string): string {
  // `arn:aws:execute-api:region:account:apiId` / `stage` / `METHOD` / path...
  const [api, stage] = methodArn.split('/');
  return `${api}/${stage}/*/*`;
}

function audienceMatches(p: JWTPayload): boolean {
  if (!audience) return true;
  const aud = Array.isArray(p.aud) ? p.aud : p.aud ? [p.aud] : [];
  return aud.includes(audience) || p.client_id === audience;
}

function policy(
  principalId: string,
  effect: 'Allow' | 'Deny',
  resource: string,
  context?: Record<string, string>,
) {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    ...(context ? { context } : {}),
  } satisfies APIGatewayAuthorizerResult;
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const header = event.headers?.Authorization ?? event.headers?.authorization ?? '';
  const m = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(header);
  if (!m) throw new Error('Unauthorized');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(m[1]!, jwks, {
      issuer,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['exp'],
    }));
  } catch (e) {
    log('INFO', 'token rejected', { reason: (e as Error).message });
    throw new Error('Unauthorized');
  }
  const tooLong = lifetimeProblem(payload, Math.floor(Date.now() / 1000), maxLifetime);
  if (tooLong) {
    log('INFO', 'token rejected', { reason: tooLong });
    throw new Error('Unauthorized');
  }
  if (!audienceMatches(payload) || !payload.sub) {
    log('INFO', 'token rejected', { reason: 'audience or subject' });
    throw new Error('Unauthorized');
  }
  const tenant = payload[tenantClaim];
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) {
    log('INFO', 'token has no usable tenant', { sub: payload.sub, claim: tenantClaim });
    return policy(payload.sub, 'Deny', event.methodArn);
  }
  return policy(payload.sub, 'Allow', stageWide(event.methodArn), { tenant, principal: payload.sub });
}
