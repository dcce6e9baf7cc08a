/**
 * Test support: a TCP proxy in front of DynamoDB that can lose an answer. Armed with a predicate, it lets the
 * first request that matches through to DynamoDB and, when DynamoDB starts to answer, resets the client's
 * connection instead of passing the answer on (or answers a 500 `InternalServerError` in its place, which
 * DynamoDB documents as "the operation may or may not have succeeded"): the write is applied, and the client
 * never hears of it. Only once per arming; everything else passes untouched.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface DropProxy {
  /** `http://127.0.0.1:{port}`: give it to the client as its DynamoDB endpoint. */
  readonly endpoint: string;
  /** Loses the answer to the next request whose raw text (headers and body) satisfies `match`. */
  dropNextAnswer(match: (request: string) => boolean, instead?: 'reset' | 'error 500'): void;
  /** How many answers were lost so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

const ERROR_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  message: 'Internal server error',
});
const INTERNAL_ERROR = [
  'HTTP/1.1 500 Internal Server Error',
  'content-type: application/x-amz-json-1.0',
  `content-length: ${Buffer.byteLength(ERROR_BODY)}`,
  'connection: close',
  '',
  ERROR_BODY,
].join('\r\n');

/** Starts a proxy to `upstream` (an `http://host:port` endpoint). */
export async function startDropProxy(upstream: string): Promise<DropProxy> {
  const target = new URL(upstream);
  let trap: ((request: string) => boolean) | undefined;
  let instead: 'reset' | 'error 500' = 'reset';
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const engine = connect(Number(target.port), target.hostname);
    sockets.add(client).add(engine);
    // Our client sends one request per connection at a time (no pipelining): what the client sent since the
    // last answer began is the request the next answer belongs to.
    let request = '';
    let doomed = false;
    client.on('data', (chunk: Buffer) => {
      request += chunk.toString('latin1');
      if (!doomed && trap?.(request)) {
        doomed = true;
        trap = undefined;
      }
      engine.write(chunk);
    });
    engine.on('data', (chunk: Buffer) => {
      if (doomed) {
        dropped++;
        engine.destroy();
        if (instead === 'reset') client.resetAndDestroy();
        else client.end(INTERNAL_ERROR);
        return;
      }
      request = '';
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      engine.destroy();
      sockets.delete(client);
      sockets.delete(engine);
    };
    client.on('close', end).on('error', end);
    engine.on('close', end).on('error', end);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    dropNextAnswer(match, how = 'reset') {
      trap = match;
      instead = how;
    },
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}
