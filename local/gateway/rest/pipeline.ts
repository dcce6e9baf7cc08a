/**
 * A REST API request, step by step in API Gateway's order: the stage and body limit ({@link admitRest}), then
 * route, authorizer, API key and usage plan with the throttles, integration. Each step either passes what it
 * found to the next or answers the request itself.
 * @module
 */
import { type Exchange, refuse, send } from '../exchange';
import { authorize } from './authorize';
import type { AuthorizerAnswer } from './authorizer';
import { type RestExchange, type RestServices, sendError, sendStepError } from './context';
import { dictOf } from './dict';
import { GATEWAY_MESSAGES } from './gateway-responses';
import { type Admitted, integrate } from './integrate';
import type { Method } from './model';
import { eventHeaders, headerValue, type IdentityFacts } from './request';
import { matchRoute, methodFor, splitPath } from './router';

/** API Gateway's payload limit: 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Answers a request once its body is in (`undefined`: over {@link MAX_BODY_BYTES}): the two refusals that come
 * before any API's own settings, then the pipeline.
 */
export function admitRest(
  s: RestServices,
  x: Exchange,
  body: Buffer | undefined,
  size: number,
): Promise<void> | void {
  if (!body) {
    refuse(s, x, 413, `Request body of ${size} bytes exceeds the ${MAX_BODY_BYTES}-byte payload limit`);
    // Not a customisable gateway response: API Gateway answers this one in plain text.
    send(
      s,
      x,
      413,
      [['Content-Type', 'text; charset=utf-8']],
      `HTTP content length exceeded ${MAX_BODY_BYTES} bytes.`,
    );
    return;
  }
  if (!x.mount) {
    refuse(s, x, 403, 'Forbidden: no API stage is served at this path');
    // An unknown stage: API Gateway answers 403 Forbidden, with no API to customise it.
    send(
      s,
      x,
      403,
      [
        ['Content-Type', 'application/json'],
        ['x-amzn-ErrorType', 'ForbiddenException'],
      ],
      JSON.stringify({ message: GATEWAY_MESSAGES.forbidden }),
    );
    return;
  }
  return serveRest(s, { ...x, facts: { ...x.facts, body } });
}

/** The steps after admission: route, authorizer, metering, integration. */
async function serveRest(s: RestServices, x: RestExchange): Promise<void> {
  const method = route(s, x);
  if (!method) return;
  const auth = await authorize(s, x, method);
  if (!auth.ok) return sendStepError(s, x, auth);
  let authorizer: Record<string, unknown> | undefined;
  if (auth.answer) {
    x.authorizerCtx = dictOf({ ...auth.answer.context, principalId: auth.answer.principalId });
    authorizer = {
      ...auth.answer.context,
      principalId: auth.answer.principalId,
      integrationLatency: auth.latency,
    };
  }
  const identity = meter(s, x, method, auth.answer);
  if (!identity) return;
  const admitted: Admitted = { identity, authorizer };
  return integrate(s, x, method, admitted);
}

/** The route step: the resource and method of the path (sets `x.route` and `x.headers`), or a 403. */
function route(s: RestServices, x: RestExchange): Method | undefined {
  const f = x.facts;
  const mount = x.mount!;
  const segs = splitPath(f.path);
  const match = segs ? matchRoute(mount.api.root, segs) : undefined;
  const method = match ? methodFor(match.node, f.httpMethod) : undefined;
  x.headers = eventHeaders(f);
  if (!match || !method) {
    const why = segs ? 'no resource and method of the API match' : 'the path does not percent-decode';
    sendError(
      s,
      x,
      'MISSING_AUTHENTICATION_TOKEN',
      GATEWAY_MESSAGES.missingToken,
      `Missing Authentication Token: ${why}`,
    );
    return undefined;
  }
  x.route = {
    accountId: s.accountId,
    apiId: mount.api.apiId,
    stage: mount.stage.name,
    stageVariables: mount.stage.variables,
    resourceId: match.node.resource.resourceId,
    resourcePath: match.node.resource.path,
    pathParameters: match.pathParameters,
    isBinary: mount.isBinary,
  };
  return method;
}

/** API key and usage plan, then the stage and account throttles: the caller's identity facts, or refused. */
function meter(
  s: RestServices,
  x: RestExchange,
  method: Method,
  answer: AuthorizerAnswer | undefined,
): IdentityFacts | undefined {
  const identity: IdentityFacts = {};
  const refusal = s.meter.check(
    {
      mount: x.mount!,
      method,
      httpMethod: x.facts.httpMethod,
      apiKeyHeader: headerValue(x.headers!.headers, 'x-api-key'),
      answer,
    },
    identity as { apiKey?: string; apiKeyId?: string },
  );
  if (refusal) {
    sendError(s, x, refusal.type, refusal.message, refusal.reason);
    return undefined;
  }
  return identity;
}
