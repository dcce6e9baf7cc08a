/**
 * The API Gateway REST API (v1) front of the offline twin: serves the template's RestApis at
 * `http://host:port/<stage>/...` through a node:http handler the caller mounts on its own server.
 * Each stage of the request is a pure step under `rest/`; this module wires them together.
 * @module
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CfnTemplate, Invoke, InvokeResult, Log, Resolve } from '../types';
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
  GATEWAY_MESSAGES,
  type GatewayErrorType,
  renderGatewayError,
  responseTypeName,
} from './rest/gateway-responses';
import { binaryMatcher } from './rest/media';
import { runMock } from './rest/mock';
import type { Method, RestApi, Stage } from './rest/model';
import { evaluatePolicy } from './rest/policy';
import {
  type EventHeaders,
  eventHeaders,
  headerValue,
  type IdentityFacts,
  methodArn,
  proxyEvent,
  queryParameters,
  type RequestFacts,
  type RouteFacts,
  requestAuthorizerEvent,
  tokenAuthorizerEvent,
} from './rest/request';
import { toHttpResponse } from './rest/response';
import { matchRoute, methodFor, splitPath } from './rest/router';
import { Buckets, KeyIndex, Quotas, stageThrottleFor } from './rest/usage';
import { validateRestResult } from './rest/validate-result';

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

/** One served method. */
export interface RouteInfo {
  readonly apiLogicalId: string;
  readonly apiId: string;
  readonly stage: string;
  /** The URL path prefix of the stage, e.g. `/dev`. */
  readonly basePath: string;
  /** `GET`, ..., or `ANY`. */
  readonly method: string;
  /** The resource path, e.g. `/items/{id}`. */
  readonly path: string;
  readonly integration: 'AWS_PROXY' | 'MOCK' | 'UNSUPPORTED';
  readonly functionLogicalId?: string;
  readonly authorization: string;
  readonly authorizerLogicalId?: string;
  readonly apiKeyRequired: boolean;
}

/** A served API stage. */
export interface StageInfo {
  readonly apiLogicalId: string;
  readonly apiId: string;
  readonly stage: string;
  /** Every URL path prefix the stage answers on. */
  readonly basePaths: readonly string[];
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
/** Account-level throttle per Region, by default (steady-state rate, burst). */
export const ACCOUNT_THROTTLE = { rateLimit: 10_000, burstLimit: 5_000 } as const;

interface Mount {
  readonly api: RestApi;
  readonly stage: Stage;
  readonly isBinary: (mediaType: string | undefined) => boolean;
}

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

  // --- mounts: `/<stage>` when the stage name is unique across APIs, `/<apiId>/<stage>` always
  const byStage = new Map<string, Mount[]>();
  const byApiStage = new Map<string, Mount>();
  const stages: StageInfo[] = [];
  for (const api of model.apis) {
    const isBinary = binaryMatcher(api.binaryMediaTypes);
    for (const stage of api.stages) {
      const m: Mount = { api, stage, isBinary };
      byStage.set(stage.name, [...(byStage.get(stage.name) ?? []), m]);
      byApiStage.set(`${api.apiId}/${stage.name}`, m);
    }
  }
  for (const m of byApiStage.values()) {
    const unique = byStage.get(m.stage.name)!.length === 1;
    stages.push({
      apiLogicalId: m.api.logicalId,
      apiId: m.api.apiId,
      stage: m.stage.name,
      basePaths: unique
        ? [`/${m.stage.name}`, `/${m.api.apiId}/${m.stage.name}`]
        : [`/${m.api.apiId}/${m.stage.name}`],
    });
  }
  const routes: RouteInfo[] = [];
  for (const s of stages) {
    const api = model.apis.find((a) => a.logicalId === s.apiLogicalId)!;
    for (const m of api.methods) {
      const i = m.integration;
      routes.push({
        apiLogicalId: api.logicalId,
        apiId: api.apiId,
        stage: s.stage,
        basePath: s.basePaths[0]!,
        method: m.httpMethod,
        path: m.resource.path,
        integration: i.type,
        ...(i.type === 'AWS_PROXY' ? { functionLogicalId: i.functionLogicalId } : {}),
        authorization: m.authorization.type,
        ...(m.authorization.type === 'CUSTOM'
          ? { authorizerLogicalId: m.authorization.authorizer.logicalId }
          : {}),
        apiKeyRequired: m.apiKeyRequired,
      });
    }
  }

  const keyIndex = new KeyIndex(model.apiKeys, model.usagePlans);
  const buckets = new Buckets();
  const quotas = new Quotas(now());
  const authCache = new AuthorizerCache(now);
  const timers = new Set<NodeJS.Timeout>();

  /** Finds the API stage of a URL path; returns the mount and the path after it. */
  function mountOf(path: string, host: string | undefined): { mount: Mount; rest: string } | undefined {
    const slash1 = path.indexOf('/', 1);
    const first = slash1 < 0 ? path.slice(1) : path.slice(1, slash1);
    const after1 = slash1 < 0 ? '' : path.slice(slash1);
    // `<apiId>.execute-api...` hosts select the API, like the real endpoint.
    const hostApi = host?.split('.')[0];
    if (hostApi) {
      const m = byApiStage.get(`${hostApi}/${first}`);
      if (m) return { mount: m, rest: after1 };
    }
    const single = byStage.get(first);
    if (single?.length === 1) return { mount: single[0]!, rest: after1 };
    const slash2 = after1.indexOf('/', 1);
    const second = slash2 < 0 ? after1.slice(1) : after1.slice(1, slash2);
    const m = byApiStage.get(`${first}/${second}`);
    if (m) return { mount: m, rest: slash2 < 0 ? '' : after1.slice(slash2) };
    return undefined;
  }

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
      return await Promise.race([
        invoke(fn, event).catch(
          (e: unknown): InvokeResult => ({
            ok: false,
            errorType: 'ServiceException',
            errorMessage: String(e),
          }),
        ),
        timeout,
      ]);
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

  function sendError(res: ServerResponse, ctx: Ctx, type: GatewayErrorType, message: string | null): void {
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
    | { ok: false; type: GatewayErrorType; message: string | null };

  async function authorize(ctx: Ctx, method: Method): Promise<AuthOutcome> {
    const auth = method.authorization;
    const h = ctx.headers!;
    if (auth.type === 'NONE') return { ok: true, latency: 0 };
    if (auth.type === 'INVALID')
      return { ok: false, type: 'API_CONFIGURATION_ERROR', message: GATEWAY_MESSAGES.internal };
    if (auth.type === 'AWS_IAM') {
      // SigV4 is not verified here; an unsigned request gets what API Gateway answers it.
      return headerValue(h.headers, 'authorization')
        ? { ok: true, latency: 0 }
        : { ok: false, type: 'MISSING_AUTHENTICATION_TOKEN', message: GATEWAY_MESSAGES.missingToken };
    }
    if (auth.type === 'COGNITO_USER_POOLS') {
      return headerValue(h.headers, 'authorization')
        ? { ok: true, latency: 0 }
        : { ok: false, type: 'UNAUTHORIZED', message: GATEWAY_MESSAGES.unauthorized };
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
    const unauthorized: AuthOutcome = {
      ok: false,
      type: 'UNAUTHORIZED',
      message: GATEWAY_MESSAGES.unauthorized,
    };
    if (a.identitySources.length > 0 && !values) return unauthorized;
    if (a.type === 'TOKEN' && (!values?.[0] || (a.validation && !a.validation.test(values[0]))))
      return unauthorized;
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
      const config: AuthOutcome = { ok: false, type: 'AUTHORIZER_CONFIGURATION_ERROR', message: null };
      if (r === TIMED_OUT) return config;
      if (!r.ok) {
        // Only an error whose message is exactly "Unauthorized" means 401.
        if (r.errorMessage === 'Unauthorized' && !r.timedOut) return unauthorized;
        log(`[gateway] authorizer ${a.logicalId} failed: ${r.errorType}: ${r.errorMessage}`);
        return config;
      }
      const parsed = parseAuthorizerAnswer(r.payload);
      if (typeof parsed === 'string') {
        log(`[gateway] authorizer ${a.logicalId} answered an invalid policy: ${parsed}`);
        return config;
      }
      answer = parsed;
      if (cacheKey) authCache.set(cacheKey, answer, a.ttlSeconds);
    }
    const decision = evaluatePolicy(answer.statements, arn);
    if (decision === 'EXPLICIT_DENY')
      return { ok: false, type: 'ACCESS_DENIED', message: GATEWAY_MESSAGES.explicitDeny };
    if (decision === 'IMPLICIT_DENY')
      return { ok: false, type: 'ACCESS_DENIED', message: GATEWAY_MESSAGES.implicitDeny };
    return { ok: true, answer, latency };
  }

  async function serve(res: ServerResponse, ctx: Ctx): Promise<void> {
    const f = ctx.facts;
    const mount = ctx.mount!;
    const segs = splitPath(f.path);
    const match = segs ? matchRoute(mount.api.root, segs) : undefined;
    const method = match ? methodFor(match.node, f.httpMethod) : undefined;
    ctx.headers = eventHeaders(f);
    if (!match || !method)
      return sendError(res, ctx, 'MISSING_AUTHENTICATION_TOKEN', GATEWAY_MESSAGES.missingToken);
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
    if (!auth.ok) return sendError(res, ctx, auth.type, auth.message);
    let authorizer: Record<string, unknown> | undefined;
    if (auth.answer) {
      ctx.authorizerCtx = dictOf({ ...auth.answer.context, principalId: auth.answer.principalId });
      authorizer = {
        ...auth.answer.context,
        principalId: auth.answer.principalId,
        integrationLatency: auth.latency,
      };
    }

    // 2. API key and usage plan (throttle, then quota)
    const t = now();
    const identity: IdentityFacts = {};
    const mutableIdentity = identity as { apiKey?: string; apiKeyId?: string };
    if (method.apiKeyRequired) {
      const value =
        mount.api.apiKeySource === 'AUTHORIZER'
          ? auth.answer?.usageIdentifierKey
          : headerValue(ctx.headers.headers, 'x-api-key');
      const found = value ? keyIndex.lookup(value, mount.api.logicalId, mount.stage.name) : undefined;
      if (!found) return sendError(res, ctx, 'INVALID_API_KEY', GATEWAY_MESSAGES.forbidden);
      mutableIdentity.apiKey = found.key.value;
      mutableIdentity.apiKeyId = found.key.id;
      const planStage = found.plan.stages.find(
        (s) => s.apiLogicalId === mount.api.logicalId && s.stage === mount.stage.name,
      );
      const methodThrottle = planStage?.methodThrottles.get(`${method.resource.path}/${f.httpMethod}`);
      const who = `${found.plan.logicalId}\u0000${found.key.logicalId}`;
      if (methodThrottle) {
        const k = `plan-method\u0000${who}\u0000${mount.api.logicalId}\u0000${mount.stage.name}\u0000${method.resource.path}\u0000${f.httpMethod}`;
        if (!buckets.take(k, methodThrottle, t))
          return sendError(res, ctx, 'THROTTLED', GATEWAY_MESSAGES.tooManyRequests);
      } else if (found.plan.throttle && !buckets.take(`plan\u0000${who}`, found.plan.throttle, t)) {
        return sendError(res, ctx, 'THROTTLED', GATEWAY_MESSAGES.tooManyRequests);
      }
      if (found.plan.quota && !quotas.take(who, found.plan.quota, t)) {
        return sendError(res, ctx, 'QUOTA_EXCEEDED', GATEWAY_MESSAGES.limitExceeded);
      }
    }

    // 3. stage method throttling, then the account's
    const stageThrottle = stageThrottleFor(mount.stage.methodThrottles, method.resource.path, f.httpMethod);
    const stageKey = `stage\u0000${mount.api.logicalId}\u0000${mount.stage.name}\u0000${method.resource.path}\u0000${f.httpMethod}`;
    if (stageThrottle && !buckets.take(stageKey, stageThrottle, t)) {
      return sendError(res, ctx, 'THROTTLED', GATEWAY_MESSAGES.tooManyRequests);
    }
    if (!buckets.take('account', ACCOUNT_THROTTLE, t))
      return sendError(res, ctx, 'THROTTLED', GATEWAY_MESSAGES.tooManyRequests);

    // 4. integration
    const integration = method.integration;
    if (integration.type === 'MOCK') {
      const q = queryParameters(f.query).queryStringParameters ?? {};
      const r = runMock(integration, {
        headers: ctx.headers.headers,
        query: q,
        path: ctx.route.pathParameters,
        stageVariables: mount.stage.variables,
        context: {
          requestId: f.requestId,
          stage: mount.stage.name,
          httpMethod: f.httpMethod,
          resourcePath: ctx.route.resourcePath,
          apiId: mount.api.apiId,
          ...(ctx.authorizerCtx ? { authorizer: ctx.authorizerCtx } : {}),
        },
      });
      if (!r) return sendError(res, ctx, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal);
      const headers = Object.entries(r.headers);
      if (!headers.some(([k]) => k.toLowerCase() === 'content-type'))
        headers.push(['Content-Type', 'application/json']);
      return send(res, ctx, r.status, headers, r.body);
    }
    if (integration.type === 'UNSUPPORTED')
      return sendError(res, ctx, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal);
    const event = proxyEvent(f, ctx.route, ctx.headers, identity, authorizer);
    const r = await withTimeout(integration.functionLogicalId, event, integration.timeoutMs);
    if (r === TIMED_OUT) return sendError(res, ctx, 'INTEGRATION_TIMEOUT', GATEWAY_MESSAGES.timedOut);
    if (!r.ok) {
      log(`[gateway] ${integration.functionLogicalId} failed: ${r.errorType}: ${r.errorMessage}`);
      // The Lambda API refusing the call is a 500; a function error (a throw, a crash, its own timeout) a 502.
      return r.errorType === 'ServiceException'
        ? sendError(res, ctx, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal)
        : sendError(res, ctx, 'BAD_GATEWAY', GATEWAY_MESSAGES.internal);
    }
    const valid = validateRestResult(r.payload);
    if ('malformed' in valid) {
      log(`[gateway] ${integration.functionLogicalId}: malformed Lambda proxy response: ${valid.malformed}`);
      return sendError(res, ctx, 'BAD_GATEWAY', GATEWAY_MESSAGES.internal);
    }
    const http = toHttpResponse(valid, mount.isBinary, headerValue(ctx.headers.headers, 'accept'));
    if (!http) return sendError(res, ctx, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal);
    send(res, ctx, http.status, [...http.headers, ['X-Amzn-Trace-Id', f.traceId]], http.body);
  }

  function handler(req: IncomingMessage, res: ServerResponse): void {
    const started = now();
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
    const ctx: Ctx = { facts, started, ...(found ? { mount: found.mount } : {}) };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        // Not a customisable gateway response: API Gateway answers this one in plain text.
        return send(
          res,
          ctx,
          413,
          [['Content-Type', 'text; charset=utf-8']],
          `HTTP content length exceeded ${MAX_BODY_BYTES} bytes.`,
        );
      }
      if (!found) {
        // An unknown stage: API Gateway answers 403 Forbidden, with no API to customise it.
        return send(
          res,
          ctx,
          403,
          [
            ['Content-Type', 'application/json'],
            ['x-amzn-ErrorType', 'ForbiddenException'],
          ],
          JSON.stringify({ message: GATEWAY_MESSAGES.forbidden }),
        );
      }
      const full: Ctx = { ...ctx, facts: { ...facts, body: Buffer.concat(chunks, size) } };
      serve(res, full).catch((e: unknown) => {
        log(`[gateway] internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        sendError(res, full, 'API_CONFIGURATION_ERROR', GATEWAY_MESSAGES.internal);
      });
    });
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
