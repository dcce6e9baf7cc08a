/**
 * The API Gateway REST API (v1) front of the offline twin: serves the template's RestApis at
 * `http://host:port/<stage>/...` through a node:http handler the caller mounts on its own server.
 * Each stage of the request is a pure step under `rest/`; this module wires them together.
 * @module
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CfnTemplate, Invoke, InvokeResult, Log, Resolve } from '../types';
import { Meter } from './meter';
import { type Mount, mountApis, type RouteInfo, type StageInfo } from './mounts';
import {
  type AuthorizerAnswer,
  AuthorizerCache,
  identityValues,
  parseAuthorizerAnswer,
} from './rest/authorizer';
import { compileGateway, DEFAULT_TIMEOUT_MS } from './rest/compile';
import { dictOf, own } from './rest/dict';
import {
  type ErrorContext,
  GATEWAY_DEFAULTS,
  GATEWAY_MESSAGES,
  type GatewayErrorType,
  renderGatewayError,
  responseTypeName,
} from './rest/gateway-responses';
import { runMock } from './rest/mock';
import type { Method } from './rest/model';
import { evaluatePolicy } from './rest/policy';
import {
  type EventHeaders,
  eventHeaders,
  headerValue,
  type IdentityFacts,
  methodArn,
  proxyEvent,
  proxyEventBytes,
  queryParameters,
  type RequestFacts,
  type RouteFacts,
  requestAuthorizerEvent,
  tokenAuthorizerEvent,
} from './rest/request';
import { toHttpResponse } from './rest/response';
import { matchRoute, methodFor, splitPath } from './rest/router';
import { validateRestResult } from './rest/validate-result';

export { ACCOUNT_THROTTLE } from './meter';
export type { RouteInfo, StageInfo } from './mounts';

/**
 * Random bytes for request and trace ids, drawn from a pool refilled 4 KB at a time: a `randomBytes` call per
 * id was 6 % of the gateway thread's time under load (each call crosses into C++ and the CSPRNG).
 */
const RANDOM_POOL = Buffer.alloc(4096);
let randomAt = RANDOM_POOL.length;
function randomSlice(n: number): Buffer {
  if (randomAt + n > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomAt = 0;
  }
  randomAt += n;
  return RANDOM_POOL.subarray(randomAt - n, randomAt);
}

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  readonly template: CfnTemplate;
  readonly resolve: Resolve;
  readonly invoke: Invoke;
  readonly log: Log;
  readonly region: string;
  readonly accountId: string;
  /** Clock for throttling, quotas, the authorizer cache and request times. @default Date.now */
  readonly now?: () => number;
  /** Values of `AWS::ApiGateway::ApiKey`s that have no `Value`, by logical id; others are generated. */
  readonly apiKeyValues?: Readonly<Record<string, string>>;
}

/** The gateway: a request handler plus what it serves. */
export interface Gateway {
  /** Serves one request; never throws. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** The first served stage's name and base path (`/<stage>`). */
  readonly stage: string;
  readonly basePath: string;
  readonly stages: readonly StageInfo[];
  readonly routes: readonly RouteInfo[];
  /** API keys and their values (generated ones included), for the caller to show or persist. */
  readonly apiKeys: readonly {
    readonly logicalId: string;
    readonly id: string;
    readonly name: string;
    readonly value: string;
  }[];
  /** Template features recognised but not emulated. */
  readonly warnings: readonly string[];
  /** Drops caches and cancels pending integration timers. */
  close(): void;
}

/** API Gateway's payload limit: 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Lambda's synchronous invocation limit on the event as JSON: it must be smaller than 6 MiB. */
export const MAX_INVOKE_BYTES = 6 * 1024 * 1024;
const TIMED_OUT = Symbol('timed out');

/**
 * Builds the gateway from a synthesized template.
 * @example
 * const gw = createGateway({ template, resolve, invoke, log: console.log, region: 'eu-west-1', accountId: '123456789012' });
 * http.createServer(gw.handler).listen(3000); // GET http://localhost:3000/prod/items
 */
export function createGateway(opts: GatewayOptions): Gateway {
  const now = opts.now ?? Date.now;
  const { invoke, log, region, accountId } = opts;
  const model = compileGateway({
    template: opts.template,
    resolve: opts.resolve,
    ...(opts.apiKeyValues ? { apiKeyValues: opts.apiKeyValues } : {}),
  });
  for (const w of model.warnings) log(`[gateway] not emulated: ${w}`);

  const { stages, routes, find: mountOf } = mountApis(model.apis);
  const meter = new Meter(model.apiKeys, model.usagePlans, now);
  const authCache = new AuthorizerCache(now);
  const timers = new Set<NodeJS.Timeout>();

  async function withTimeout(
    fn: string,
    event: unknown,
    ms: number,
  ): Promise<InvokeResult | typeof TIMED_OUT> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), ms);
      timers.add(timer);
    });
    try {
      const failed = (e: unknown): InvokeResult => {
        log(`[gateway] invoking ${fn} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return { ok: false, errorType: 'ServiceException', errorMessage: String(e) };
      };
      let call: Promise<InvokeResult>;
      try {
        call = invoke(fn, event).catch(failed);
      } catch (e) {
        call = Promise.resolve(failed(e));
      }
      return await Promise.race([call, timeout]);
    } finally {
      if (timer) {
        clearTimeout(timer);
        timers.delete(timer);
      }
    }
  }

  interface Ctx {
    readonly facts: RequestFacts;
    readonly started: number;
    mount?: Mount;
    route?: RouteFacts;
    headers?: EventHeaders;
    authorizerCtx?: Record<string, string>;
  }

  function send(
    res: ServerResponse,
    ctx: Ctx,
    status: number,
    headers: readonly (readonly [string, string | readonly string[]])[],
    body: Buffer | string,
  ): void {
    if (res.headersSent) return;
    res.statusCode = status;
    for (const [k, v] of headers) res.setHeader(k, v as string | string[]);
    res.setHeader('x-amzn-RequestId', ctx.facts.requestId);
    res.setHeader('x-amz-apigw-id', ctx.facts.extendedRequestId);
    res.end(body);
    const f = ctx.facts;
    const len = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const stagePath = ctx.mount ? `/${ctx.mount.stage.name}${f.path}` : f.path;
    log(
      `${f.sourceIp} "${f.httpMethod} ${stagePath}${f.query ? `?${f.query}` : ''} ${f.protocol}" ${status} ${len} ${now() - ctx.started}ms ${f.requestId}`,
    );
  }

  /** Logs why the gateway answers a request itself, as API Gateway's execution log says it. */
  function refuse(ctx: Ctx, status: number, reason: string): void {
    const f = ctx.facts;
    const stagePath = ctx.mount ? `/${ctx.mount.stage.name}${f.path}` : f.path;
    log(`[gateway] ${f.requestId} ${f.httpMethod} ${stagePath} ${status}: ${reason}`);
  }

  function sendError(
    res: ServerResponse,
    ctx: Ctx,
    type: GatewayErrorType,
    message: string | null,
    reason: string,
  ): void {
    refuse(ctx, GATEWAY_DEFAULTS[type].status, reason);
    const h = ctx.headers;
    const route = ctx.route;
    const q = queryParameters(ctx.facts.query).queryStringParameters ?? {};
    const ec: ErrorContext = {
      message,
      responseType: responseTypeName(type),
      requestId: ctx.facts.requestId,
      extendedRequestId: ctx.facts.extendedRequestId,
      apiId: ctx.mount?.api.apiId ?? '',
      stage: ctx.mount?.stage.name ?? '',
      httpMethod: ctx.facts.httpMethod,
      resourcePath: route?.resourcePath ?? '',
      path: ctx.mount ? `/${ctx.mount.stage.name}${ctx.facts.path}` : ctx.facts.path,
      sourceIp: ctx.facts.sourceIp,
      stageVariables: ctx.mount?.stage.variables ?? {},
      ...(ctx.authorizerCtx ? { authorizer: ctx.authorizerCtx } : {}),
      header: (n) => (h ? headerValue(h.headers, n) : undefined),
      query: (n) => own(q, n),
      pathParam: (n) => own(route?.pathParameters, n),
    };
    const r = renderGatewayError(type, ec, ctx.mount?.api.gatewayResponses ?? new Map());
    send(res, ctx, r.status, Object.entries(r.headers), r.body);
  }

  type AuthOutcome =
    | { ok: true; answer?: AuthorizerAnswer; latency: number }
    | { ok: false; type: GatewayErrorType; message: string | null; reason: string };

  async function authorize(ctx: Ctx, method: Method): Promise<AuthOutcome> {
    const auth = method.authorization;
    const h = ctx.headers!;
    if (auth.type === 'NONE') return { ok: true, latency: 0 };
    if (auth.type === 'INVALID') {
      const reason = 'Execution failed due to configuration error: the method names no usable authorizer';
      return { ok: false, type: 'API_CONFIGURATION_ERROR', message: GATEWAY_MESSAGES.internal, reason };
    }
    if (auth.type === 'AWS_IAM') {
      // SigV4 is not verified here; an unsigned request gets what API Gateway answers it.
      return headerValue(h.headers, 'authorization')
        ? { ok: true, latency: 0 }
        : {
            ok: false,
            type: 'MISSING_AUTHENTICATION_TOKEN',
            message: GATEWAY_MESSAGES.missingToken,
            reason: 'Missing Authentication Token: the method requires AWS_IAM and the request is not signed',
          };
    }
    if (auth.type === 'COGNITO_USER_POOLS') {
      return headerValue(h.headers, 'authorization')
        ? { ok: true, latency: 0 }
        : {
            ok: false,
            type: 'UNAUTHORIZED',
            message: GATEWAY_MESSAGES.unauthorized,
            reason: `Unauthorized request: ${ctx.facts.requestId} (no Authorization header for the Cognito authorizer)`,
          };
    }
    const a = auth.authorizer;
    const route = ctx.route!;
    const f = ctx.facts;
    const arn = methodArn(region, route, f.httpMethod, f.path);
    const values = identityValues(a, {
      headers: h.headers,
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
    let answer = cacheKey ? authCache.get(cacheKey) : undefined;
    let latency = 0;
    if (!answer) {
      const event =
        a.type === 'TOKEN'
          ? tokenAuthorizerEvent(values![0]!, arn)
          : requestAuthorizerEvent(f, route, h, arn, {});
      const t0 = now();
      const r = await withTimeout(a.functionLogicalId, event, DEFAULT_TIMEOUT_MS);
      latency = now() - t0;
      const config = (why: string): AuthOutcome => ({
        ok: false,
        type: 'AUTHORIZER_CONFIGURATION_ERROR',
        message: null,
        reason: `Execution failed due to configuration error: Authorizer error (${a.logicalId}: ${why})`,
      });
      if (r === TIMED_OUT) return config(`no answer within ${DEFAULT_TIMEOUT_MS} ms`);
      if (!r.ok) {
        // Only an error whose message is exactly "Unauthorized" means 401.
        if (r.errorMessage === 'Unauthorized' && !r.timedOut) return unauthorized('it answered Unauthorized');
        return config(`${r.errorType}: ${r.errorMessage}`);
      }
      const parsed = parseAuthorizerAnswer(r.payload);
      if (typeof parsed === 'string') return config(`invalid answer: ${parsed}`);
      answer = parsed;
      if (cacheKey) authCache.set(cacheKey, answer, a.ttlSeconds);
    }
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
    return { ok: true, answer, latency };
  }

  /** A MOCK integration's answer (CORS preflights). */
  function mock(
    res: ServerResponse,
    ctx: Ctx,
    integration: Extract<Method['integration'], { type: 'MOCK' }>,
  ): void {
    const f = ctx.facts;
    const mount = ctx.mount!;
    const route = ctx.route!;
    const r = runMock(integration, {
      headers: ctx.headers!.headers,
      query: queryParameters(f.query).queryStringParameters ?? {},
      path: route.pathParameters,
      stageVariables: mount.stage.variables,
      context: {
        requestId: f.requestId,
        stage: mount.stage.name,
        httpMethod: f.httpMethod,
        resourcePath: route.resourcePath,
        apiId: mount.api.apiId,
        ...(ctx.authorizerCtx ? { authorizer: ctx.authorizerCtx } : {}),
      },
    });
    if (!r) {
      const reason =
        'Execution failed due to configuration error: No match for output mapping and no default output mapping configured';
      sendError(res, ctx, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal, reason);
      return;
    }
    const headers = Object.entries(r.headers);
    if (!headers.some(([k]) => k.toLowerCase() === 'content-type'))
      headers.push(['Content-Type', 'application/json']);
    send(res, ctx, r.status, headers, r.body);
  }

  /** Lambda refused the event as over its synchronous invocation limit: API Gateway answers 413 itself. */
  function requestTooLong(res: ServerResponse, ctx: Ctx, bytes: number): void {
    refuse(
      ctx,
      413,
      `Lambda invocation payload of ${bytes} bytes is not smaller than ${MAX_INVOKE_BYTES} bytes (Request Too Long)`,
    );
    send(
      res,
      ctx,
      413,
      [
        ['Content-Type', 'application/json'],
        ['x-amzn-ErrorType', 'BadRequestException'],
      ],
      '{"message": "Request Too Long"}',
    );
  }

  async function serve(res: ServerResponse, ctx: Ctx): Promise<void> {
    const f = ctx.facts;
    const mount = ctx.mount!;
    const segs = splitPath(f.path);
    const match = segs ? matchRoute(mount.api.root, segs) : undefined;
    const method = match ? methodFor(match.node, f.httpMethod) : undefined;
    ctx.headers = eventHeaders(f);
    if (!match || !method) {
      const why = segs ? 'no resource and method of the API match' : 'the path does not percent-decode';
      return sendError(
        res,
        ctx,
        'MISSING_AUTHENTICATION_TOKEN',
        GATEWAY_MESSAGES.missingToken,
        `Missing Authentication Token: ${why}`,
      );
    }
    ctx.route = {
      accountId,
      apiId: mount.api.apiId,
      stage: mount.stage.name,
      stageVariables: mount.stage.variables,
      resourceId: match.node.resource.resourceId,
      resourcePath: match.node.resource.path,
      pathParameters: match.pathParameters,
      isBinary: mount.isBinary,
    };

    // 1. authorizer
    const auth = await authorize(ctx, method);
    if (!auth.ok) return sendError(res, ctx, auth.type, auth.message, auth.reason);
    let authorizer: Record<string, unknown> | undefined;
    if (auth.answer) {
      ctx.authorizerCtx = dictOf({ ...auth.answer.context, principalId: auth.answer.principalId });
      authorizer = {
        ...auth.answer.context,
        principalId: auth.answer.principalId,
        integrationLatency: auth.latency,
      };
    }

    // 2. API key and usage plan, 3. stage and account throttles
    const identity: IdentityFacts = {};
    const refusal = meter.check(
      {
        mount,
        method,
        httpMethod: f.httpMethod,
        apiKeyHeader: headerValue(ctx.headers.headers, 'x-api-key'),
        answer: auth.answer,
      },
      identity as { apiKey?: string; apiKeyId?: string },
    );
    if (refusal) return sendError(res, ctx, refusal.type, refusal.message, refusal.reason);

    // 4. integration
    const integration = method.integration;
    if (integration.type === 'MOCK') return mock(res, ctx, integration);
    if (integration.type === 'UNSUPPORTED') {
      const reason = `Execution failed due to configuration error: ${integration.reason}`;
      return sendError(res, ctx, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal, reason);
    }
    const event = proxyEvent(f, ctx.route, ctx.headers, identity, authorizer);
    const bytes = proxyEventBytes(event, f);
    // "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    if (bytes >= MAX_INVOKE_BYTES) return requestTooLong(res, ctx, bytes);
    const r = await withTimeout(integration.functionLogicalId, event, integration.timeoutMs);
    const fail = (type: GatewayErrorType, reason: string) =>
      sendError(
        res,
        ctx,
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
    const http = toHttpResponse(valid, mount.isBinary, headerValue(ctx.headers.headers, 'accept'));
    if (!http)
      return fail(
        'API_CONFIGURATION_ERROR',
        'Execution failed due to configuration error: Unable to base64-decode the response body',
      );
    send(res, ctx, http.status, [...http.headers, ['X-Amzn-Trace-Id', f.traceId]], http.body);
  }

  /**
   * The last resort when serving a request threw: its stack goes to the log, the client gets API Gateway's own
   * 500 (not a gateway response: rendering one may be what failed), and no other request is affected.
   */
  function internalError(res: ServerResponse, ctx: Ctx | undefined, e: unknown): void {
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    const f = ctx?.facts;
    if (ctx) refuse(ctx, 500, `internal error: ${stack}`);
    else log(`[gateway] - 500: internal error: ${stack}`);
    try {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.statusCode = 500;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('x-amzn-ErrorType', 'InternalServerErrorException');
      if (f) res.setHeader('x-amzn-RequestId', f.requestId);
      if (f) res.setHeader('x-amz-apigw-id', f.extendedRequestId);
      res.end(JSON.stringify({ message: GATEWAY_MESSAGES.internal }));
    } catch {
      res.destroy();
    }
  }

  /** Answers a request once its body is in (or over the limit). */
  function complete(res: ServerResponse, ctx: Ctx, body: Buffer | undefined, size: number): void {
    if (!body) {
      refuse(ctx, 413, `Request body of ${size} bytes exceeds the ${MAX_BODY_BYTES}-byte payload limit`);
      // Not a customisable gateway response: API Gateway answers this one in plain text.
      send(
        res,
        ctx,
        413,
        [['Content-Type', 'text; charset=utf-8']],
        `HTTP content length exceeded ${MAX_BODY_BYTES} bytes.`,
      );
      return;
    }
    if (!ctx.mount) {
      refuse(ctx, 403, 'Forbidden: no API stage is served at this path');
      // An unknown stage: API Gateway answers 403 Forbidden, with no API to customise it.
      send(
        res,
        ctx,
        403,
        [
          ['Content-Type', 'application/json'],
          ['x-amzn-ErrorType', 'ForbiddenException'],
        ],
        JSON.stringify({ message: GATEWAY_MESSAGES.forbidden }),
      );
      return;
    }
    const full: Ctx = { ...ctx, facts: { ...ctx.facts, body } };
    serve(res, full).catch((e: unknown) => internalError(res, full, e));
  }

  function factsOf(req: IncomingMessage, started: number): { facts: RequestFacts; mount?: Mount } {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const query = qi < 0 ? '' : url.slice(qi + 1);
    const found = mountOf(rawPath, req.headers.host);
    const facts: RequestFacts = {
      httpMethod: (req.method ?? 'GET').toUpperCase(),
      path: found ? found.rest || '/' : rawPath,
      query,
      rawHeaders: req.rawHeaders,
      body: Buffer.alloc(0),
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      localPort: req.socket.localPort ?? 0,
      protocol: `HTTP/${req.httpVersion}`,
      domainName: (req.headers.host ?? 'localhost').replace(/:\d+$/, ''),
      requestId: randomUUID(),
      extendedRequestId: randomSlice(11).toString('base64'),
      traceId: `Root=1-${Math.floor(started / 1000).toString(16)}-${randomSlice(12).toString('hex')}`,
      timeEpochMs: started,
    };
    return found ? { facts, mount: found.mount } : { facts };
  }

  function handler(req: IncomingMessage, res: ServerResponse): void {
    let ctx: Ctx | undefined;
    try {
      const started = now();
      const { facts, mount } = factsOf(req, started);
      const c: Ctx = { facts, started, ...(mount ? { mount } : {}) };
      ctx = c;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      // An aborted upload: nobody is left to answer.
      req.on('error', () => res.destroy());
      req.on('end', () => {
        try {
          complete(res, c, size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks, size), size);
        } catch (e) {
          internalError(res, c, e);
        }
      });
    } catch (e) {
      internalError(res, ctx, e);
    }
  }

  const first = stages[0];
  return {
    handler,
    stage: first?.stage ?? '',
    basePath: first?.basePaths[0] ?? '',
    stages,
    routes,
    apiKeys: model.apiKeys.map((k) => ({ logicalId: k.logicalId, id: k.id, name: k.name, value: k.value })),
    warnings: model.warnings,
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      authCache.clear();
    },
  };
}
