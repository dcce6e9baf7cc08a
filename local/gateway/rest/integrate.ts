/**
 * The integration step of a REST API method: MOCK (CORS preflights), Lambda proxy (event out, result back as
 * an HTTP response), and the refusals of an integration the twin cannot run.
 * @module
 */
import { refuse, send } from '../exchange';
import { TIMED_OUT } from '../invoker';
import { type RestExchange, type RestServices, sendError } from './context';
import { GATEWAY_MESSAGES, type GatewayErrorType } from './gateway-responses';
import { runMock } from './mock';
import type { Method } from './model';
import { headerValue, type IdentityFacts, proxyEvent, proxyEventBytes, queryParameters } from './request';
import { toHttpResponse } from './response';
import { validateRestResult } from './validate-result';

/** Lambda's synchronous invocation limit on the event as JSON: it must be smaller than 6 MiB. */
export const MAX_INVOKE_BYTES = 6 * 1024 * 1024;

/** What the earlier steps established for the integration. */
export interface Admitted {
  readonly identity: IdentityFacts;
  /** `requestContext.authorizer` of the proxy event (a Lambda authorizer's context, principal, latency). */
  readonly authorizer: Record<string, unknown> | undefined;
}

/** Runs the method's integration and answers the request. */
export function integrate(
  s: RestServices,
  x: RestExchange,
  method: Method,
  admitted: Admitted,
): void | Promise<void> {
  const integration = method.integration;
  if (integration.type === 'MOCK') return mock(s, x, integration);
  if (integration.type === 'UNSUPPORTED') {
    const reason = `Execution failed due to configuration error: ${integration.reason}`;
    return sendError(s, x, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal, reason);
  }
  return lambdaProxy(s, x, integration, admitted);
}

/** A MOCK integration's answer (CORS preflights). */
function mock(
  s: RestServices,
  x: RestExchange,
  integration: Extract<Method['integration'], { type: 'MOCK' }>,
): void {
  const f = x.facts;
  const mount = x.mount!;
  const route = x.route!;
  const r = runMock(integration, {
    headers: x.headers!.headers,
    query: queryParameters(f.query).queryStringParameters ?? {},
    path: route.pathParameters,
    stageVariables: mount.stage.variables,
    context: {
      requestId: f.requestId,
      stage: mount.stage.name,
      httpMethod: f.httpMethod,
      resourcePath: route.resourcePath,
      apiId: mount.api.apiId,
      ...(x.authorizerCtx ? { authorizer: x.authorizerCtx } : {}),
    },
  });
  if (!r) {
    const reason =
      'Execution failed due to configuration error: No match for output mapping and no default output mapping configured';
    sendError(s, x, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal, reason);
    return;
  }
  const headers = Object.entries(r.headers);
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type'))
    headers.push(['Content-Type', 'application/json']);
  send(s, x, r.status, headers, r.body);
}

/** Lambda refused the event as over its synchronous invocation limit: API Gateway answers 413 itself. */
function requestTooLong(s: RestServices, x: RestExchange, bytes: number): void {
  refuse(
    s,
    x,
    413,
    `Lambda invocation payload of ${bytes} bytes is not smaller than ${MAX_INVOKE_BYTES} bytes (Request Too Long)`,
  );
  send(
    s,
    x,
    413,
    [
      ['Content-Type', 'application/json'],
      ['x-amzn-ErrorType', 'BadRequestException'],
    ],
    '{"message": "Request Too Long"}',
  );
}

/** The Lambda proxy integration: the proxy event to the function, its result validated and sent. */
async function lambdaProxy(
  s: RestServices,
  x: RestExchange,
  integration: Extract<Method['integration'], { type: 'AWS_PROXY' }>,
  admitted: Admitted,
): Promise<void> {
  const f = x.facts;
  const event = proxyEvent(f, x.route!, x.headers!, admitted.identity, admitted.authorizer);
  const bytes = proxyEventBytes(event, f);
  // "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
  if (bytes >= MAX_INVOKE_BYTES) return requestTooLong(s, x, bytes);
  const r = await s.invoker.call(integration.functionLogicalId, event, integration.timeoutMs);
  const fail = (type: GatewayErrorType, reason: string) =>
    sendError(
      s,
      x,
      type,
      type === 'INTEGRATION_TIMEOUT' ? GATEWAY_MESSAGES.timedOut : GATEWAY_MESSAGES.internal,
      reason,
    );
  if (r === TIMED_OUT) return fail('INTEGRATION_TIMEOUT', 'Execution failed due to a timeout error');
  if (!r.ok) {
    // The Lambda API refusing the call is a 500; a function error (a throw, a crash, its own timeout) a 502.
    if (r.errorType !== 'ServiceException')
      return fail(
        'BAD_GATEWAY',
        `Lambda execution failed with status 200 due to customer function error: ${r.errorType}: ${r.errorMessage}`,
      );
    return fail(
      'API_CONFIGURATION_ERROR',
      `Execution failed due to configuration error: Lambda invocation failed: ${r.errorMessage}`,
    );
  }
  const valid = validateRestResult(r.payload);
  if ('malformed' in valid)
    return fail(
      'BAD_GATEWAY',
      `Execution failed due to configuration error: Malformed Lambda proxy response: ${valid.malformed}`,
    );
  const http = toHttpResponse(valid, x.mount!.isBinary, headerValue(x.headers!.headers, 'accept'));
  if (!http)
    return fail(
      'API_CONFIGURATION_ERROR',
      'Execution failed due to configuration error: Unable to base64-decode the response body',
    );
  send(s, x, http.status, [...http.headers, ['X-Amzn-Trace-Id', f.traceId]], http.body);
}
