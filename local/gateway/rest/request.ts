/**
 * Builds the events API Gateway sends to Lambda: the proxy integration event (payload 1.0) and the TOKEN and
 * REQUEST authorizer events. Pure: everything comes in as plain values.
 * @module
 */
import { dict, own } from './dict';

/** What the gateway knows about the incoming request. */
export interface RequestFacts {
  readonly httpMethod: string;
  /** The path after the stage, as received (`/items/a%20b`). */
  readonly path: string;
  /** The raw query string without `?`. */
  readonly query: string;
  /** Node's `rawHeaders`: name, value, name, value, ... */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly localPort: number;
  readonly protocol: string;
  readonly domainName: string;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly traceId: string;
  readonly timeEpochMs: number;
}

/** Where the request was routed. */
export interface RouteFacts {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly isBinary: (mediaType: string | undefined) => boolean;
}

/** Headers as API Gateway passes them on: single-value (last wins) and multi-value, client casing kept. */
export interface EventHeaders {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
}

/** Hop-by-hop and other request headers API Gateway drops before the integration. */
const DROPPED = new Set([
  'connection',
  'expect',
  'proxy-authenticate',
  'te',
  'transfer-encoding',
  'upgrade',
  'content-md5',
  'max-forwards',
  'server',
  'trailer',
  'www-authenticate',
  'keep-alive',
]);

/** The headers of the event, with the `X-Forwarded-*` and `X-Amzn-Trace-Id` headers API Gateway adds. */
export function eventHeaders(f: RequestFacts): EventHeaders {
  const headers = dict<string>();
  const multiValueHeaders = dict<string[]>();
  const add = (name: string, value: string, replace: boolean) => {
    headers[name] = value;
    const list = multiValueHeaders[name];
    if (replace || !list) multiValueHeaders[name] = [value];
    else list.push(value);
  };
  let xff: string | undefined;
  for (let i = 0; i + 1 < f.rawHeaders.length; i += 2) {
    const name = f.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (DROPPED.has(lower)) continue;
    if (lower === 'x-forwarded-for') {
      xff = xff ? `${xff}, ${f.rawHeaders[i + 1]}` : f.rawHeaders[i + 1];
      continue;
    }
    if (lower === 'x-forwarded-port' || lower === 'x-forwarded-proto' || lower === 'x-amzn-trace-id')
      continue;
    add(name, f.rawHeaders[i + 1]!, false);
  }
  add('X-Amzn-Trace-Id', f.traceId, true);
  add('X-Forwarded-For', xff ? `${xff}, ${f.sourceIp}` : f.sourceIp, true);
  add('X-Forwarded-Port', String(f.localPort), true);
  add('X-Forwarded-Proto', 'http', true);
  return { headers, multiValueHeaders };
}

/** A header value by exact name first, then case-insensitively; the last one given. */
export function headerValue(h: Readonly<Record<string, string>>, name: string): string | undefined {
  const exact = own(h, name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const k of Object.keys(h)) if (k.toLowerCase() === lower) return h[k];
  return undefined;
}

/**
 * Query string parameters: `&` and `;` separate pairs (API Gateway splits on `;`), values are percent-decoded,
 * `+` is kept as is, the single-value map holds the last value. `null`s when there are none.
 */
export function queryParameters(query: string): {
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
} {
  if (query === '') return { queryStringParameters: null, multiValueQueryStringParameters: null };
  const single = dict<string>();
  const multi = dict<string[]>();
  for (const pair of query.split(/[&;]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = decode(eq < 0 ? pair : pair.slice(0, eq));
    const v = eq < 0 ? '' : decode(pair.slice(eq + 1));
    single[k] = v;
    const list = multi[k];
    if (list) list.push(v);
    else multi[k] = [v];
  }
  if (Object.keys(single).length === 0)
    return { queryStringParameters: null, multiValueQueryStringParameters: null };
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `dd/MMM/yyyy:HH:mm:ss +0000`, the CLF time of `$context.requestTime`. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The caller identity of `requestContext.identity`. */
export interface IdentityFacts {
  readonly apiKey?: string;
  readonly apiKeyId?: string;
}

/** `requestContext` of the proxy and REQUEST authorizer events. */
export function requestContext(
  f: RequestFacts,
  r: RouteFacts,
  userAgent: string | undefined,
  identity: IdentityFacts,
  authorizer?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    resourceId: r.resourceId,
    resourcePath: r.resourcePath,
    httpMethod: f.httpMethod,
    extendedRequestId: f.extendedRequestId,
    requestTime: clfTime(f.timeEpochMs),
    path: `/${r.stage}${f.path}`,
    accountId: r.accountId,
    protocol: f.protocol,
    stage: r.stage,
    domainPrefix: f.domainName.split('.')[0] ?? f.domainName,
    requestTimeEpoch: f.timeEpochMs,
    requestId: f.requestId,
    identity: {
      cognitoIdentityPoolId: null,
      accountId: null,
      cognitoIdentityId: null,
      caller: null,
      sourceIp: f.sourceIp,
      principalOrgId: null,
      accessKey: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: null,
      userAgent: userAgent ?? null,
      user: null,
      ...(identity.apiKey !== undefined ? { apiKey: identity.apiKey, apiKeyId: identity.apiKeyId } : {}),
    },
    domainName: f.domainName,
    apiId: r.apiId,
    ...(authorizer ? { authorizer } : {}),
  };
}

/** The Lambda proxy integration event (payload format 1.0). */
export function proxyEvent(
  f: RequestFacts,
  r: RouteFacts,
  h: EventHeaders,
  identity: IdentityFacts,
  authorizer?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const q = queryParameters(f.query);
  const contentType = headerValue(h.headers, 'content-type');
  const binary = f.body.length > 0 && r.isBinary(contentType);
  return {
    resource: r.resourcePath,
    path: f.path,
    httpMethod: f.httpMethod,
    headers: h.headers,
    multiValueHeaders: h.multiValueHeaders,
    queryStringParameters: q.queryStringParameters,
    multiValueQueryStringParameters: q.multiValueQueryStringParameters,
    pathParameters: Object.keys(r.pathParameters).length > 0 ? { ...r.pathParameters } : null,
    stageVariables: Object.keys(r.stageVariables).length > 0 ? { ...r.stageVariables } : null,
    requestContext: requestContext(f, r, headerValue(h.headers, 'user-agent'), identity, authorizer),
    body: f.body.length === 0 ? null : binary ? f.body.toString('base64') : f.body.toString('utf8'),
    isBase64Encoded: binary,
  };
}

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` of the request. */
export function methodArn(region: string, r: RouteFacts, httpMethod: string, path: string): string {
  return `arn:aws:execute-api:${region}:${r.accountId}:${r.apiId}/${r.stage}/${httpMethod}/${path.replace(/^\//, '')}`;
}

/** The TOKEN authorizer event. */
export function tokenAuthorizerEvent(token: string, arn: string): Record<string, unknown> {
  return { type: 'TOKEN', authorizationToken: token, methodArn: arn };
}

/** The REQUEST authorizer event: the request without its body, with `{}` for absent maps. */
export function requestAuthorizerEvent(
  f: RequestFacts,
  r: RouteFacts,
  h: EventHeaders,
  arn: string,
  identity: IdentityFacts,
): Record<string, unknown> {
  const q = queryParameters(f.query);
  return {
    type: 'REQUEST',
    methodArn: arn,
    resource: r.resourcePath,
    path: f.path,
    httpMethod: f.httpMethod,
    headers: h.headers,
    multiValueHeaders: h.multiValueHeaders,
    queryStringParameters: q.queryStringParameters ?? {},
    multiValueQueryStringParameters: q.multiValueQueryStringParameters ?? {},
    pathParameters: { ...r.pathParameters },
    stageVariables: { ...r.stageVariables },
    requestContext: requestContext(f, r, headerValue(h.headers, 'user-agent'), identity),
  };
}

/** Worst-case growth of a byte of input once in the event's JSON (a control character becomes `\u00XX`). */
const JSON_GROWTH = 6;
/** The event's members other than what the client sent (request context, names): generous. */
const EVENT_OVERHEAD = 16 * 1024;

/**
 * The size Lambda counts for a proxy event: its JSON in UTF-8. Exact (one `JSON.stringify`) only when what the
 * client sent could bring it near Lambda's limit; below that a bound is returned, so the common request pays
 * nothing. Headers count twice (`headers` and `multiValueHeaders`), so do query strings.
 */
export function proxyEventBytes(event: unknown, f: RequestFacts, limit = 6 * 1024 * 1024): number {
  let input = f.body.length + 2 * (f.query.length + f.path.length);
  for (const h of f.rawHeaders) input += 2 * h.length;
  const bound = input * JSON_GROWTH + EVENT_OVERHEAD;
  if (bound < limit) return bound;
  return Buffer.byteLength(JSON.stringify(event));
}
