/**
 * Turns a validated Lambda proxy result into the HTTP response API Gateway sends: `headers` and
 * `multiValueHeaders` merged, a default `Content-Type`, headers API Gateway remaps, and base64 bodies decoded when
 * binary support applies.
 * @module
 */
import type { ProxyResult } from './validate-result';

/** An HTTP response ready to write. */
export interface HttpResponse {
  readonly status: number;
  /** Header name -> values, in order. */
  readonly headers: readonly (readonly [string, readonly string[]])[];
  readonly body: Buffer;
}

/**
 * Response headers API Gateway does not pass through as such but renames to `X-Amzn-Remapped-<name>`. The
 * documented one is `WWW-Authenticate`; the others would break the HTTP framing of this server.
 */
const REMAPPED = new Set([
  'www-authenticate',
  'connection',
  'content-length',
  'date',
  'server',
  'transfer-encoding',
]);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Maps a proxy result. `isBinary` says whether a media type is in the API's `binaryMediaTypes`; `accept` is the
 * request's `Accept` header. Returns `undefined` when a base64 body fails to decode (an API configuration error).
 */
export function toHttpResponse(
  r: ProxyResult,
  isBinary: (mediaType: string | undefined) => boolean,
  accept: string | undefined,
): HttpResponse | undefined {
  const merged = new Map<string, [string, string[]]>();
  for (const [k, v] of Object.entries(r.headers)) merged.set(k.toLowerCase(), [k, [v]]);
  // "If the same key-value pair is specified in both, only the values from multiValueHeaders will appear."
  for (const [k, v] of Object.entries(r.multiValueHeaders)) merged.set(k.toLowerCase(), [k, [...v]]);
  const headers: [string, string[]][] = [];
  let contentType: string | undefined;
  for (const [lower, [name, values]] of merged) {
    if (REMAPPED.has(lower)) {
      headers.push([`X-Amzn-Remapped-${name}`, values]);
      continue;
    }
    if (lower === 'content-type') contentType = values[0];
    headers.push([name, values]);
  }
  // "API Gateway includes a Content-Type header for all integration responses ... by default application/json."
  if (contentType === undefined) headers.push(['Content-Type', ['application/json']]);
  let body: Buffer;
  if (r.isBase64Encoded && (isBinary(accept) || isBinary(contentType))) {
    const clean = r.body.replace(/\s+/g, '');
    if (clean.length % 4 === 1 || !BASE64.test(clean)) return undefined;
    body = Buffer.from(clean, 'base64');
  } else {
    body = Buffer.from(r.body, 'utf8');
  }
  return { status: r.statusCode, headers, body };
}
