/**
 * HTTP/1.1 over a plain socket, for requests `fetch` and `node:http`'s client refuse to send: lower-case and
 * unknown methods, raw request targets (`..`, `%zz`), header names like `__proto__`, obs-text header values,
 * bodies on GET. One connection per request (`Connection: close`), so a response ends with the socket and a
 * broken exchange cannot leak into the next case.
 * @module
 */
import { connect } from 'node:net';

/** A request exactly as written on the wire (apart from `Host`, `Content-Length` and `Connection`). */
export interface RawRequest {
  readonly method: string;
  /** The request target, sent as is: path and query, already encoded (or deliberately not). */
  readonly target: string;
  /** Name/value pairs in order; repeated names stay repeated. Values are written as latin1 bytes. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
}

/** What came back; `status` 0 when the server closed the connection without an answer. */
export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; a repeated header keeps every value. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: Buffer;
}

/** One header's value (the first), or undefined. */
export function header(res: RawResponse, name: string): string | undefined {
  return res.headers.get(name)?.[0];
}

/** Sends one request and reads the whole response; rejects only when no answer came within `timeoutMs`. */
export function sendRaw(
  origin: { host: string; port: number },
  req: RawRequest,
  timeoutMs = 40_000,
  signal?: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(origin.port, origin.host);
    // Aborting ends the exchange as a server hanging up would: what came so far is the answer.
    signal?.addEventListener('abort', () => socket.destroy(), { once: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks)));
    };
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', finish);
    socket.on('close', finish);
    // A server that answers early (413) and closes while the body is still being written resets the
    // connection: what it answered before that is the answer.
    socket.on('error', () => finish());
    socket.on('connect', () => {
      socket.write(head(origin, req), 'latin1');
      if (req.body?.length) socket.write(req.body);
    });
  });
}

/** The request line and header block as sent (latin1: one byte a character), the part Node's `maxHeaderSize` counts. */
export function head(origin: { host: string; port: number }, req: RawRequest): string {
  const lines = [`${req.method} ${req.target} HTTP/1.1`, `Host: ${origin.host}:${origin.port}`];
  for (const [name, value] of req.headers) lines.push(`${name}: ${value}`);
  if (req.body !== undefined) lines.push(`Content-Length: ${req.body.length}`);
  lines.push('Connection: close', '', '');
  return lines.join('\r\n');
}

/** Parses a complete HTTP/1.1 response (Content-Length, chunked, or read to the end). */
export function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return { status: 0, headers: new Map(), body: raw };
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(name, values);
  }
  const rest = raw.subarray(split + 4);
  const chunked = headers.get('transfer-encoding')?.some((v) => /chunked/i.test(v));
  return { status, headers, body: chunked ? dechunk(rest) : rest };
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
