/**
 * Reading the HTTP parts of a request that every operation shares: headers, JSON bodies, query strings.
 * Pure: it sees a plain request, never an API Gateway event.
 * @module
 */
import { BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from './errors';

/** The HTTP request as the domain sees it. Header names are lower-case. */
export interface HttpRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, readonly string[] | undefined>>;
  readonly body: string | undefined;
  readonly pathId?: string | undefined;
  /**
   * The request's path as the client sent it, stage or base path included (`/prod/items`), when the event
   * carries it: what a `Location` is built from, so that it resolves against the request URL.
   */
  readonly path?: string | undefined;
}

/**
 * Response headers a browser may read (CORS `Access-Control-Expose-Headers`): the functions send this list and
 * the stack's preflights and gateway responses say the same, both from here.
 */
export const CORS_EXPOSE_HEADERS = ['ETag', 'Location', 'Retry-After', 'Idempotent-Replayed'] as const;

/** What an operation answers. `body` is serialized as JSON. */
export interface HttpReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** The body already serialized as JSON, instead of `body` (a page that measured itself, `pages.ts`). */
  readonly json?: string;
}

/** The media type of a Content-Type value, lower-case, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** Parses a JSON body after checking its media type and size. */
export function readJsonBody(req: HttpRequest, accepted: readonly string[], maxBytes: number): unknown {
  const body = req.body;
  if (body === undefined || body === '') throw new BadRequest('a JSON body is required');
  const type = mediaType(req.headers['content-type']);
  if (!type || !accepted.includes(type)) {
    throw new UnsupportedMediaType(
      `Content-Type must be ${accepted.join(' or ')}${type ? `, not ${type}` : ''}`,
    );
  }
  if (Buffer.byteLength(body, 'utf8') > maxBytes) {
    throw new PayloadTooLarge(`the body is larger than ${maxBytes} bytes`);
  }
  try {
    return JSON.parse(body);
  } catch (e) {
    throw new BadRequest(`the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** One query parameter's single value, or undefined; a repeated parameter is a 400. */
export function single(req: HttpRequest, name: string): string | undefined {
  const v = req.query[name];
  if (!v || v.length === 0) return undefined;
  if (v.length > 1)
    throw new ValidationFailed([{ pointer: `/query/${name}`, message: 'must be given once' }]);
  return v[0];
}
