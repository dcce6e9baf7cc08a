/**
 * The authorizer step of a REST API method: `NONE`, `AWS_IAM` and `COGNITO_USER_POOLS` (their presence checks
 * only), and Lambda authorizers (TOKEN, REQUEST): identity sources, the cache, the call, the policy.
 * @module
 */
import { TIMED_OUT } from '../invoker';
import { type AuthorizerAnswer, identityValues, parseAuthorizerAnswer } from './authorizer';
import { DEFAULT_TIMEOUT_MS } from './compile';
import type { RestExchange, RestServices, StepError } from './context';
import { GATEWAY_MESSAGES } from './gateway-responses';
import type { Authorizer, Method } from './model';
import { evaluatePolicy } from './policy';
import {
  headerValue,
  methodArn,
  queryParameters,
  requestAuthorizerEvent,
  tokenAuthorizerEvent,
} from './request';

/** The authorizer step's outcome: allowed (with a Lambda authorizer's answer), or refused. */
export type AuthOutcome =
  | { readonly ok: true; readonly answer?: AuthorizerAnswer; readonly latency: number }
  | ({ readonly ok: false } & StepError);

const ALLOWED: AuthOutcome = { ok: true, latency: 0 };

/** Runs the method's authorization for a routed request (`x.route` and `x.headers` set). */
export function authorize(
  s: RestServices,
  x: RestExchange,
  method: Method,
): AuthOutcome | Promise<AuthOutcome> {
  const auth = method.authorization;
  if (auth.type === 'NONE') return ALLOWED;
  if (auth.type === 'INVALID') {
    const reason = 'Execution failed due to configuration error: the method names no usable authorizer';
    return { ok: false, type: 'API_CONFIGURATION_ERROR', message: GATEWAY_MESSAGES.internal, reason };
  }
  if (auth.type === 'AWS_IAM') {
    // SigV4 is not verified here; an unsigned request gets what API Gateway answers it.
    return signed(x)
      ? ALLOWED
      : {
          ok: false,
          type: 'MISSING_AUTHENTICATION_TOKEN',
          message: GATEWAY_MESSAGES.missingToken,
          reason: 'Missing Authentication Token: the method requires AWS_IAM and the request is not signed',
        };
  }
  if (auth.type === 'COGNITO_USER_POOLS') {
    return signed(x)
      ? ALLOWED
      : {
          ok: false,
          type: 'UNAUTHORIZED',
          message: GATEWAY_MESSAGES.unauthorized,
          reason: `Unauthorized request: ${x.facts.requestId} (no Authorization header for the Cognito authorizer)`,
        };
  }
  return lambdaAuthorization(s, x, auth.authorizer);
}

/** Whether the request carries a (non-empty) `Authorization` header. */
function signed(x: RestExchange): boolean {
  return !!headerValue(x.headers!.headers, 'authorization');
}

/** A Lambda authorizer: identity sources, then the cached or fresh answer, then its policy on the method ARN. */
async function lambdaAuthorization(s: RestServices, x: RestExchange, a: Authorizer): Promise<AuthOutcome> {
  const route = x.route!;
  const f = x.facts;
  const arn = methodArn(s.region, route, f.httpMethod, f.path);
  const values = identityValues(a, {
    headers: x.headers!.headers,
    query: queryParameters(f.query).queryStringParameters,
    stageVariables: route.stageVariables,
    context: { requestId: f.requestId, stage: route.stage, httpMethod: f.httpMethod, apiId: route.apiId },
  });
  const unauthorized = (why: string): AuthOutcome => ({
    ok: false,
    type: 'UNAUTHORIZED',
    message: GATEWAY_MESSAGES.unauthorized,
    reason: `Unauthorized request: ${f.requestId} (authorizer ${a.logicalId}: ${why})`,
  });
  if (a.identitySources.length > 0 && !values)
    return unauthorized('an identity source is missing or empty; the authorizer was not called');
  if (a.type === 'TOKEN' && (!values?.[0] || (a.validation && !a.validation.test(values[0]))))
    return unauthorized('the token does not match the identity validation expression');
  const cacheKey =
    a.ttlSeconds > 0 && values && values.length > 0
      ? `${route.apiId}\u0000${route.stage}\u0000${a.logicalId}\u0000${values.join('\u0000')}`
      : undefined;
  const cached = cacheKey ? s.authCache.get(cacheKey) : undefined;
  const called = cached ? { answer: cached, latency: 0 } : await callAuthorizer(s, x, a, arn, values);
  if ('ok' in called) return called;
  const answer = called.answer;
  if (cacheKey && !cached) s.authCache.set(cacheKey, answer, a.ttlSeconds);
  const decision = evaluatePolicy(answer.statements, arn);
  if (!decision.allowed) {
    const explicit = decision.kind === 'explicit';
    return {
      ok: false,
      type: 'ACCESS_DENIED',
      message: explicit ? GATEWAY_MESSAGES.explicitDeny : GATEWAY_MESSAGES.implicitDeny,
      reason: `Authorizer ${a.logicalId} policy for principal ${answer.principalId} ${
        explicit ? 'explicitly denies' : 'does not allow'
      } execute-api:Invoke on ${arn}`,
    };
  }
  return { ok: true, answer, latency: called.latency };
}

/** Invokes the authorizer function and validates its answer. */
async function callAuthorizer(
  s: RestServices,
  x: RestExchange,
  a: Authorizer,
  arn: string,
  values: readonly string[] | undefined,
): Promise<{ answer: AuthorizerAnswer; latency: number } | AuthOutcome> {
  const event =
    a.type === 'TOKEN'
      ? tokenAuthorizerEvent(values![0]!, arn)
      : requestAuthorizerEvent(x.facts, x.route!, x.headers!, arn, {});
  const t0 = s.now();
  const r = await s.invoker.call(a.functionLogicalId, event, DEFAULT_TIMEOUT_MS);
  const latency = s.now() - t0;
  const config = (why: string): AuthOutcome => ({
    ok: false,
    type: 'AUTHORIZER_CONFIGURATION_ERROR',
    message: null,
    reason: `Execution failed due to configuration error: Authorizer error (${a.logicalId}: ${why})`,
  });
  if (r === TIMED_OUT) return config(`no answer within ${DEFAULT_TIMEOUT_MS} ms`);
  if (!r.ok) {
    // Only an error whose message is exactly "Unauthorized" means 401.
    if (r.errorMessage === 'Unauthorized' && !r.timedOut)
      return {
        ok: false,
        type: 'UNAUTHORIZED',
        message: GATEWAY_MESSAGES.unauthorized,
        reason: `Unauthorized request: ${x.facts.requestId} (authorizer ${a.logicalId}: it answered Unauthorized)`,
      };
    return config(`${r.errorType}: ${r.errorMessage}`);
  }
  const parsed = parseAuthorizerAnswer(r.payload);
  if (typeof parsed === 'string') return config(`invalid answer: ${parsed}`);
  return { answer: parsed, latency };
}
