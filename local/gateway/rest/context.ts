/**
 * What the REST API's steps share: the request as it grows through them ({@link RestExchange}), the gateway's
 * services ({@link RestServices}), and answering with a gateway response (`AWS::ApiGateway::GatewayResponse`).
 * @module
 */

import { type Exchange, type Output, refuse, send } from '../exchange';
import type { Invoker } from '../invoker';
import type { Meter } from '../meter';
import type { AuthorizerCache } from './authorizer';
import { own } from './dict';
import {
  type ErrorContext,
  GATEWAY_DEFAULTS,
  type GatewayErrorType,
  renderGatewayError,
  responseTypeName,
} from './gateway-responses';
import { type EventHeaders, headerValue, queryParameters, type RouteFacts } from './request';

/** A REST API request: what the route and authorizer steps found is kept for the later steps and errors. */
export interface RestExchange extends Exchange {
  route?: RouteFacts;
  headers?: EventHeaders;
  /** The authorizer's context with `principalId`, for gateway responses and mappings. */
  authorizerCtx?: Record<string, string>;
}

/** What the gateway holds for every request. */
export interface RestServices extends Output {
  readonly region: string;
  readonly accountId: string;
  readonly invoker: Invoker;
  readonly meter: Meter;
  readonly authCache: AuthorizerCache;
}

/** A step's refusal: the gateway response type, its message, and the execution log's reason. */
export interface StepError {
  readonly type: GatewayErrorType;
  readonly message: string | null;
  readonly reason: string;
}

/** Answers with the API's gateway response of `type` (or the default), and logs the reason. */
export function sendError(
  out: Output,
  x: RestExchange,
  type: GatewayErrorType,
  message: string | null,
  reason: string,
): void {
  refuse(out, x, GATEWAY_DEFAULTS[type].status, reason);
  const h = x.headers;
  const route = x.route;
  const q = queryParameters(x.facts.query).queryStringParameters ?? {};
  const ec: ErrorContext = {
    message,
    responseType: responseTypeName(type),
    requestId: x.facts.requestId,
    extendedRequestId: x.facts.extendedRequestId,
    apiId: x.mount?.api.apiId ?? '',
    stage: x.mount?.stage.name ?? '',
    httpMethod: x.facts.httpMethod,
    resourcePath: route?.resourcePath ?? '',
    path: x.mount ? `/${x.mount.stage.name}${x.facts.path}` : x.facts.path,
    sourceIp: x.facts.sourceIp,
    stageVariables: x.mount?.stage.variables ?? {},
    ...(x.authorizerCtx ? { authorizer: x.authorizerCtx } : {}),
    header: (n) => (h ? headerValue(h.headers, n) : undefined),
    query: (n) => own(q, n),
    pathParam: (n) => own(route?.pathParameters, n),
  };
  const r = renderGatewayError(type, ec, x.mount?.api.gatewayResponses ?? new Map());
  send(out, x, r.status, Object.entries(r.headers), r.body);
}

/** {@link sendError} for a step's refusal. */
export function sendStepError(out: Output, x: RestExchange, e: StepError): void {
  sendError(out, x, e.type, e.message, e.reason);
}
