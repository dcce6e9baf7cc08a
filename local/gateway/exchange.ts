/**
 * One request as the gateway serves it, and what every API kind does the same way around it: reading the
 * request (ids, facts, the body under a limit), answering it with the gateway's own headers, the access log
 * line, the execution log's refusal reasons, and the last-resort 500.
 * @module
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Log } from '../types';
import type { Mount } from './mounts';
import { GATEWAY_MESSAGES } from './rest/gateway-responses';
import type { RequestFacts } from './rest/request';

/** What answering needs from the gateway: its log and its clock. */
export interface Output {
  readonly log: Log;
  readonly now: () => number;
}

/** One request in flight. */
export interface Exchange {
  readonly res: ServerResponse;
  readonly facts: RequestFacts;
  readonly started: number;
  readonly mount?: Mount;
}

/** Response headers as the steps produce them. */
export type HeaderList = readonly (readonly [string, string | readonly string[]])[];

/**
 * Random bytes for request and trace ids, drawn from a pool refilled 4 KB at a time: a `randomBytes` call per
 * id crosses into C++ and the CSPRNG each time, a measurable share of the gateway thread under load.
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

/** The facts of a request (its body still empty) and the stage it is for, if one is served there. */
export function requestFacts(
  req: IncomingMessage,
  started: number,
  find: (path: string, host: string | undefined) => { mount: Mount; rest: string } | undefined,
): { facts: RequestFacts; mount?: Mount } {
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const rawPath = qi < 0 ? url : url.slice(0, qi);
  const query = qi < 0 ? '' : url.slice(qi + 1);
  const found = find(rawPath, req.headers.host);
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

/**
 * Collects the body; `done` gets it, or `undefined` once it is over `limit` bytes (what is over is not kept).
 * An aborted upload leaves nobody to answer.
 */
export function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  done: (body: Buffer | undefined, size: number) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  req.on('error', () => res.destroy());
  req.on('end', () => done(size > limit ? undefined : Buffer.concat(chunks, size), size));
}

/** The path as the client sent it: the stage's prefix included. */
export function stagePath(x: Exchange): string {
  return x.mount ? `/${x.mount.stage.name}${x.facts.path}` : x.facts.path;
}

/** Answers once (later answers are dropped) with the gateway's id headers, and writes the access log line. */
export function send(
  out: Output,
  x: Exchange,
  status: number,
  headers: HeaderList,
  body: Buffer | string,
): void {
  const res = x.res;
  if (res.headersSent) return;
  res.statusCode = status;
  for (const [k, v] of headers) res.setHeader(k, v as string | string[]);
  res.setHeader('x-amzn-RequestId', x.facts.requestId);
  res.setHeader('x-amz-apigw-id', x.facts.extendedRequestId);
  res.end(body);
  const f = x.facts;
  const len = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  out.log(
    `${f.sourceIp} "${f.httpMethod} ${stagePath(x)}${f.query ? `?${f.query}` : ''} ${f.protocol}" ${status} ${len} ${out.now() - x.started}ms ${f.requestId}`,
  );
}

/** Logs why the gateway answers a request itself, as API Gateway's execution log says it. */
export function refuse(out: Output, x: Exchange, status: number, reason: string): void {
  const f = x.facts;
  out.log(`[gateway] ${f.requestId} ${f.httpMethod} ${stagePath(x)} ${status}: ${reason}`);
}

/**
 * The last resort when serving a request threw: its stack goes to the log, the client gets API Gateway's own
 * 500 (not a gateway response: rendering one may be what failed), and no other request is affected.
 */
export function internalError(out: Output, res: ServerResponse, x: Exchange | undefined, e: unknown): void {
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  const f = x?.facts;
  if (x) refuse(out, x, 500, `internal error: ${stack}`);
  else out.log(`[gateway] - 500: internal error: ${stack}`);
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
