/**
 * Validates what a Lambda proxy integration returned, rejecting what API Gateway rejects as a
 * "Malformed Lambda proxy response" (answered 502).
 * @module
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { dict } from './dict';

/** A proxy result API Gateway accepts. */
export interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** Why a result is malformed (for the log; the client only sees 502). */
export interface MalformedResult {
  readonly malformed: string;
}

const KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/** Why a header cannot go on the wire (a name that is no HTTP token, a value with CR, LF or NUL), if it cannot. */
function unsendable(name: string, value: string): string | undefined {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return undefined;
  } catch {
    return `header ${JSON.stringify(name)} cannot be sent in HTTP`;
  }
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Checks a proxy result: an object with only the documented keys, an integer `statusCode` (number or numeric
 * string) between 200 and 599 (1xx are HTTP's interim answers), a string `body`, scalar header values and arrays of them.
 * @example
 * validateRestResult({ statusCode: 200, body: 'ok' }) // { statusCode: 200, body: 'ok', ... }
 */
export function validateRestResult(r: unknown): ProxyResult | MalformedResult {
  if (typeof r !== 'object' || r === null || Array.isArray(r))
    return { malformed: 'result is not an object' };
  const o = r as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) return { malformed: `unexpected key ${k}` };
  const sc =
    typeof o['statusCode'] === 'string' && /^\d+$/.test(o['statusCode'])
      ? Number(o['statusCode'])
      : o['statusCode'];
  if (typeof sc !== 'number' || !Number.isInteger(sc) || sc < 100 || sc > 599) {
    return { malformed: 'statusCode is missing or not a valid HTTP status' };
  }
  // An informational status cannot end an exchange: the client would wait for a final answer that never comes.
  if (sc < 200) return { malformed: `statusCode ${sc} is informational (1xx)` };
  const body = o['body'];
  if (body !== undefined && body !== null && typeof body !== 'string')
    return { malformed: 'body is not a string' };
  const b64 = o['isBase64Encoded'];
  if (b64 !== undefined && b64 !== null && typeof b64 !== 'boolean')
    return { malformed: 'isBase64Encoded is not a boolean' };
  const headers = dict<string>();
  const h = o['headers'];
  if (h !== undefined && h !== null) {
    if (typeof h !== 'object' || Array.isArray(h)) return { malformed: 'headers is not an object' };
    for (const [k, v] of Object.entries(h)) {
      if (v === null || v === undefined) continue;
      const s = scalar(v);
      if (s === undefined) return { malformed: `header ${k} is not a string` };
      const bad = unsendable(k, s);
      if (bad) return { malformed: bad };
      headers[k] = s;
    }
  }
  const multiValueHeaders = dict<string[]>();
  const mh = o['multiValueHeaders'];
  if (mh !== undefined && mh !== null) {
    if (typeof mh !== 'object' || Array.isArray(mh))
      return { malformed: 'multiValueHeaders is not an object' };
    for (const [k, v] of Object.entries(mh)) {
      if (v === null || v === undefined) continue;
      if (!Array.isArray(v)) return { malformed: `multiValueHeaders.${k} is not an array` };
      const vals: string[] = [];
      for (const x of v) {
        const s = scalar(x);
        if (s === undefined) return { malformed: `multiValueHeaders.${k} holds a non-string` };
        const bad = unsendable(k, s);
        if (bad) return { malformed: bad };
        vals.push(s);
      }
      multiValueHeaders[k] = vals;
    }
  }
  return {
    statusCode: sc,
    headers,
    multiValueHeaders,
    body: typeof body === 'string' ? body : '',
    isBase64Encoded: b64 === true,
  };
}
