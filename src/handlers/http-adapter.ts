/**
 * The edge between API Gateway's proxy event (payload v1) and the domain: builds the {@link HttpRequest},
 * the {@link Caller} from the authorizer context, runs the operation, and maps its reply or error to a proxy
 * result. Every error becomes one RFC 9457 body here; nothing internal reaches the client.
 * @module
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AppError, Unauthenticated } from '../core/errors';
import { CORS_EXPOSE_HEADERS, type HttpReply, type HttpRequest } from '../core/http';
import type { ItemSettings, OperationInput } from '../core/items';
import type { Caller, HistoryRepo, ItemRepo } from '../core/ports';
import { toProblem } from '../core/problem';
import type { Resource, ResourceShape } from '../core/resource';
import { TENANT_PATTERN } from '../store/table-design';
import { log } from './logger';
import { observe } from './metrics';

export type Operation<R extends ResourceShape = Resource> = (input: OperationInput<R>) => Promise<HttpReply>;

/** What the adapter needs besides the event: built once per execution environment. */
export interface Dependencies {
  readonly repo: ItemRepo;
  readonly history: HistoryRepo;
  readonly settings: () => ItemSettings;
  /** Consumed capacity reported during the current invocation; reset by the adapter. */
  readonly capacity: { units: number };
  readonly allowedOrigins: readonly string[];
}

function callerOf(event: APIGatewayProxyEvent): Caller {
  const auth = event.requestContext?.authorizer ?? {};
  const tenant = auth.tenant;
  if (typeof tenant !== 'string' || tenant === '') throw new Unauthenticated('the request carries no tenant');
  if (!TENANT_PATTERN.test(tenant))
    throw new Unauthenticated('the tenant in the token is not a valid tenant name');
  const principal = String(auth.principal ?? auth.principalId ?? '');
  if (!principal) throw new Unauthenticated('the request carries no principal');
  return { tenant, principal };
}

const LIST_HEADERS = ['if-match', 'if-none-match'] as const;

function listHeader(event: APIGatewayProxyEvent, name: string, single: string): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {}))
    if (v && k.toLowerCase() === name) lines.push(...v);
  return lines.length > 1 ? lines.join(', ') : single;
}

function requestOf(event: APIGatewayProxyEvent): HttpRequest {
  // Names come from the client: `__proto__` or `constructor` must be data, never a prototype's member.
  const headers: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const query: Record<string, string[]> = Object.create(null);
  if (event.multiValueQueryStringParameters) {
    for (const [k, v] of Object.entries(event.multiValueQueryStringParameters)) if (v) query[k] = v;
  } else if (event.queryStringParameters) {
    for (const [k, v] of Object.entries(event.queryStringParameters)) if (v !== undefined) query[k] = [v];
  }
  const body =
    event.body == null
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  // A list header sent as several field lines is one list (RFC 9110 §5.3); `headers` holds only the last line.
  for (const name of LIST_HEADERS) {
    const single = headers[name];
    if (single !== undefined) headers[name] = listHeader(event, name, single);
  }
  // REST events carry the path as sent in `requestContext.path`; HTTP API (2.0) events in `rawPath`.
  const path = event.requestContext?.path ?? (event as { rawPath?: string }).rawPath;
  return { headers, query, body, pathId: event.pathParameters?.id, path };
}

const EXPOSE_HEADERS = CORS_EXPOSE_HEADERS.join(', ');

function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (!origin || !(allowed.includes(origin) || allowed.includes('*'))) return {};
  return {
    'access-control-allow-origin': allowed.includes('*') ? '*' : origin,
    'access-control-expose-headers': EXPOSE_HEADERS,
    vary: 'Origin',
  };
}

/**
 * Wraps a domain operation as a Lambda handler for API Gateway's proxy integration. `find` names the resource
 * of a request from its resource path template: the declarations for writes, their shapes for reads.
 */
export function httpHandler<R extends ResourceShape>(
  name: string,
  operation: Operation<R>,
  deps: Dependencies,
  find: (resourcePath: string | undefined) => R | undefined,
) {
  return async function handleHttp(
    event: APIGatewayProxyEvent,
    context: Context,
  ): Promise<APIGatewayProxyResult> {
    const started = performance.now();
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    deps.capacity.units = 0;
    const resource = find(event.resource);
    const cors = corsHeaders(event.headers?.origin ?? event.headers?.Origin, deps.allowedOrigins);
    let reply: HttpReply;
    let failure: unknown;
    try {
      if (!resource) throw new Error(`no resource is declared for ${event.resource}`);
      const caller = callerOf(event);
      reply = await operation({
        repo: deps.repo,
        history: deps.history,
        caller,
        resource,
        request: requestOf(event),
        settings: deps.settings(),
        now: new Date(),
      });
    } catch (e) {
      failure = e;
      const problem = toProblem(e, requestId, event.path);
      reply = {
        status: problem.status,
        headers: { 'content-type': 'application/problem+json', ...(e instanceof AppError ? e.headers : {}) },
        body: problem,
      };
    }
    const status = reply.status;
    const fields = {
      requestId,
      operation: name,
      resource: resource?.name,
      tenant: event.requestContext?.authorizer?.tenant,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      consumedCapacity: deps.capacity.units,
    };
    observe(context, fields);
    if (status >= 500) log('ERROR', 'request failed', { ...fields, error: failure });
    else
      log('INFO', 'request', failure instanceof AppError ? { ...fields, detail: failure.message } : fields);
    const hasBody =
      (reply.body !== undefined || reply.json !== undefined) && status !== 204 && status !== 304;
    return {
      statusCode: status,
      headers: {
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...cors,
        ...reply.headers,
      },
      body: hasBody ? (reply.json ?? JSON.stringify(reply.body)) : '',
    };
  };
}
