/**
 * What must hold for every answer, whatever was asked. Each check returns violations rather than throwing,
 * so the long run can count them all and the test can fail on the first with a readable message.
 * @module
 */

import * as z from 'zod/mini';
import { resources } from '../../../src/resources/index';
import { header, type RawResponse } from './raw-http';
import type { FuzzCase } from './requests';

/** One broken invariant: `kind` groups violations in the report, `detail` says what was seen. */
export interface Violation {
  readonly kind: string;
  readonly detail: string;
}

/** What tenant B must never see unless B sent it: tenant A's ids and the marker in A's values. */
export interface Secrets {
  readonly values: readonly string[];
}

/** Methods Node's HTTP parser knows; others (and lower-case spellings) never reach the gateway. */
const PARSER_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE']);
PARSER_METHODS.add('PROPFIND').add('SEARCH').add('QUERY');

/** Node's default `maxHeaderSize`: a larger header block is refused with 431 before any handler runs. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

/** The gateway's one documented non-JSON error: a body over 10 MB (local/gateway/README.md). */
const TOO_LARGE_TEXT = 'HTTP content length exceeded 10485760 bytes.';

/** Words a 400 without `errors` may use to name what is wrong (parameter or header names, the body, the id). */
const NAMED_INPUTS =
  /\b(cursor|limit|sort|if-match|if-none-match|idempotency-key|content-type|body|json|id|query)\b/i;

/** True when Node's parser refuses the request before the twin sees it (not valid HTTP/1.1 for Node). */
export function refusedByParser(c: FuzzCase, headerBytes: number): boolean {
  return !PARSER_METHODS.has(c.method) || headerBytes > NODE_MAX_HEADER_BYTES;
}

/** Every invariant on one exchange. */
export function checkResponse(
  c: FuzzCase,
  headerBytes: number,
  res: RawResponse,
  secrets: Secrets,
): Violation[] {
  const out: Violation[] = [];
  const text = res.body.toString('utf8');
  if (res.status === 0)
    return [{ kind: 'no answer', detail: `connection closed with ${res.body.length} bytes` }];
  if (/\n\s+at .+[(/].*:\d+:\d+|\bat (Object|Module|process)\./.test(text)) {
    out.push({ kind: 'stack trace in body', detail: excerpt(text) });
  }
  out.push(...checkStatus(c, headerBytes, res, text));
  if (res.status === 200 && c.method === 'GET') out.push(...checkFilter(c));
  if (c.auth === 'b') out.push(...checkNoLeak(c, res, text, secrets));
  return out;
}

function checkStatus(c: FuzzCase, headerBytes: number, res: RawResponse, text: string): Violation[] {
  const type = header(res, 'content-type') ?? '';
  const fromServer = !res.headers.has('x-amzn-requestid');
  if (fromServer) {
    return refusedByParser(c, headerBytes) && res.status >= 400 && res.status < 500 && text === ''
      ? []
      : [{ kind: `${res.status} from the HTTP server, not the gateway`, detail: excerpt(text) }];
  }
  if (c.overInvokeLimit && type.startsWith('application/problem+json')) {
    return [{ kind: 'a request over 6 MB reached the function', detail: excerpt(text) }];
  }
  if (res.status >= 500) {
    if (res.status === 503 && header(res, 'retry-after')) return [];
    // Over 6 MB, Lambda refuses the invocation and API Gateway answers its 502 (the case's own doing).
    if (res.status === 502 && c.overInvokeLimit) return checkGatewayError(res, text);
    return [
      {
        kind: `${res.status} ${type.startsWith('application/problem+json') ? 'problem' : 'gateway'}`,
        detail: excerpt(text),
      },
    ];
  }
  // A HEAD answer has no body to check.
  if (res.status < 400 || c.method === 'HEAD') return [];
  if (type.startsWith('application/problem+json')) return checkProblem(c, res.status, text);
  return checkGatewayError(res, text);
}

/** RFC 9457: type, title, status (equal to the HTTP status), detail; a 400 names what is wrong. */
export function checkProblem(c: FuzzCase, status: number, text: string): Violation[] {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(text);
  } catch {
    return [{ kind: 'problem body not JSON', detail: excerpt(text) }];
  }
  const missing = ['type', 'title', 'detail'].filter((k) => typeof p[k] !== 'string' || p[k] === '');
  const out: Violation[] = missing.length
    ? [{ kind: `problem without ${missing.join(', ')}`, detail: excerpt(text) }]
    : [];
  if (p.status !== status)
    out.push({ kind: 'problem status differs from HTTP status', detail: excerpt(text) });
  if (status === 400 && !namesTheInput(c, p)) out.push({ kind: '400 naming nothing', detail: excerpt(text) });
  out.push(...checkConditional(c, status, typeof p.detail === 'string' ? p.detail : ''));
  return out;
}

/** RFC 9110 §8.8.3 entity-tag; a list may hold empty elements, which a recipient ignores (§5.6.1). */
const ENTITY_TAG_LIST =
  /^\s*(\*|((W\/)?"[\x21\x23-\x7e\x80-\xff]*")?(\s*,\s*((W\/)?"[\x21\x23-\x7e\x80-\xff]*")?)*)\s*$/;

/**
 * Conditional headers (RFC 9110 §13.1.1): a well-formed list is never a 400, and a 412 whose detail names
 * the current ETag is wrong when `If-Match` listed that very tag (strong comparison: `W/` never matches).
 */
function checkConditional(c: FuzzCase, status: number, detail: string): Violation[] {
  const out: Violation[] = [];
  for (const name of ['if-match', 'if-none-match']) {
    const values = c.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
    if (!values.length) continue;
    const joined = values.join(', ');
    // An empty value is left out: the grammar allows an empty list, but what it means is not settled.
    const listed = ENTITY_TAG_LIST.test(joined) && /\*|"/.test(joined);
    if (status === 400 && detail.toLowerCase().includes(name) && listed) {
      out.push({
        kind: `well-formed ${name} list refused with 400`,
        detail: `${name}: ${joined} -> ${detail}`,
      });
    }
    const current = /current ETag ("\d+")/.exec(detail)?.[1];
    const strong = joined.split(',').map((t) => t.trim());
    if (status === 412 && name === 'if-match' && current && strong.includes(current)) {
      out.push({
        kind: '412 although If-Match lists the current ETag',
        detail: `If-Match: ${joined} -> ${detail}`,
      });
    }
  }
  return out;
}

function namesTheInput(c: FuzzCase, p: Record<string, unknown>): boolean {
  if (Array.isArray(p.errors) && p.errors.length > 0) {
    return p.errors.every(
      (e) => typeof e?.pointer === 'string' && /^(\/.*)?$/.test(e.pointer) && typeof e?.message === 'string',
    );
  }
  const detail = typeof p.detail === 'string' ? p.detail : '';
  return NAMED_INPUTS.test(detail) || queryNames(c.target).some((n) => n.length > 1 && detail.includes(n));
}

function queryNames(target: string): string[] {
  const q = target.indexOf('?');
  if (q < 0) return [];
  return target
    .slice(q + 1)
    .split(/[&;]/)
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      try {
        return decodeURIComponent(name);
      } catch {
        return name;
      }
    });
}

/** API Gateway's own errors: `{"message": ...}` (`Message` on authorizer denials) and `x-amzn-ErrorType`. */
export function checkGatewayError(res: RawResponse, text: string): Violation[] {
  if (res.status === 413 && text === TOO_LARGE_TEXT) return [];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [{ kind: `gateway ${res.status} body not JSON`, detail: excerpt(text) }];
  }
  const keys = body && typeof body === 'object' ? Object.keys(body) : [];
  const shaped =
    keys.length === 1 &&
    (keys[0] === 'message' || keys[0] === 'Message') &&
    ['string', 'object'].includes(typeof (body as Record<string, unknown>)[keys[0]]);
  const out: Violation[] = shaped
    ? []
    : [{ kind: `gateway ${res.status} not {"message"}`, detail: excerpt(text) }];
  if (!header(res, 'x-amzn-errortype'))
    out.push({ kind: `gateway ${res.status} without x-amzn-ErrorType`, detail: excerpt(text) });
  return out;
}

/**
 * A list answered 200 had a filter value its field accepts: the resource's own schema is the judge, so a
 * value a create would refuse (`status=bogus` on an enum) is a 400 naming the parameter, not an empty page.
 */
export function checkFilter(c: FuzzCase): Violation[] {
  const [path = '', query] = c.target.split('?');
  const resource = resources.find((r) => `/${r.name}` === path);
  if (!resource || query === undefined) return [];
  const out: Violation[] = [];
  for (const pair of query.split(/[&;]/)) {
    const [name = '', raw] = pair.split('=').map(decoded);
    if (raw === undefined || !resource.filterBy.includes(name)) continue;
    const field = (resource.schema.shape as Record<string, z.ZodMiniType>)[name]!;
    const value = raw === 'true' || raw === 'false' ? raw === 'true' : raw;
    const accepted = [value, Number(raw)].some((v) => v !== undefined && z.safeParse(field, v).success);
    if (!accepted)
      out.push({
        kind: `list filter ${name}=<value its schema refuses> answered 200`,
        detail: `${name}=${raw}`,
      });
  }
  return out;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Tenant B's answers hold none of A's ids or marked values, except what B itself sent. */
function checkNoLeak(c: FuzzCase, res: RawResponse, text: string, secrets: Secrets): Violation[] {
  const sent =
    `${c.target}\n${c.headers.map(([n, v]) => `${n}:${v}`).join('\n')}\n${c.body?.toString('latin1') ?? ''}`.toLowerCase();
  const seen = `${[...res.headers.values()].flat().join('\n')}\n${text}`.toLowerCase();
  const leaked = secrets.values.filter(
    (s) => seen.includes(s.toLowerCase()) && !sent.includes(s.toLowerCase()),
  );
  return leaked.length
    ? [{ kind: "tenant A's data in B's answer", detail: `${leaked.join(', ')}: ${excerpt(text)}` }]
    : [];
}

/** The first 300 characters, for reports. */
export function excerpt(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text;
}
