/**
 * The machine's upper bound for the warm loads: a bare `node:http` server that makes the same DynamoDB calls
 * as our functions (our own `src/store` client through `DynamoItemRepo`: the same requests, the same
 * marshalling) against the same engine, with no gateway, authorizer, Lambda runtime or validation.
 *
 * Routes (tenant fixed): `GET /items/{id}`, `GET /items` (a page of 25), `POST /items`, `PATCH /items/{id}`
 * (a consistent read, the merge, a write conditional on the version, as ours does).
 * Started by the bench with IPC; sends `{ type: 'ready', port }`.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { uuidv7 } from '../../src/core/ids';
import { represent } from '../../src/core/items';
import { VersionMismatch } from '../../src/core/ports';
import { items } from '../../src/resources/items';
import { DynamoDB } from '../../src/store/dynamodb';
import { DynamoItemRepo } from '../../src/store/item-store';

const endpoint = process.env.BENCH_ENDPOINT as string;
const table = process.env.BENCH_TABLE as string;
const caller = { tenant: process.env.BENCH_TENANT ?? 'bench', principal: 'bench-user' };
const repo = new DynamoItemRepo(
  new DynamoDB({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
  table,
);

function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}));
    req.on('error', fail);
  });
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const id = /^\/items\/([^/]+)$/.exec(url.pathname)?.[1];
  if (req.method === 'GET' && id) {
    const item = await repo.get(caller, items, id);
    return item ? send(res, 200, represent(item)) : send(res, 404, { message: 'not found' });
  }
  if (req.method === 'GET' && url.pathname === '/items') {
    const page = await repo.list({ caller, resource: items, limit: 25, descending: true, sort: 'id' });
    return send(res, 200, { items: page.items.map(represent), nextCursor: page.next ? 'x' : null });
  }
  if (req.method === 'POST' && url.pathname === '/items') {
    const data = await body(req);
    const now = new Date().toISOString();
    const item = {
      id: uuidv7(),
      data,
      createdAt: now,
      updatedAt: now,
      version: 1,
      createdBy: caller.principal,
      updatedBy: caller.principal,
    };
    await repo.create(caller, items, item);
    return send(res, 201, represent(item));
  }
  if (req.method === 'PATCH' && id) {
    const patch = await body(req);
    // Like ours: a write that lost a race is retried on the newer version (5 times).
    for (let attempt = 0; ; attempt++) {
      const current = await repo.get(caller, items, id, { consistent: true });
      if (!current) return send(res, 404, { message: 'not found' });
      try {
        const next = await repo.replace(
          caller,
          items,
          id,
          { ...current.data, ...patch },
          new Date().toISOString(),
          current.version,
        );
        return send(res, 200, represent(next));
      } catch (e) {
        if (!(e instanceof VersionMismatch) || attempt >= 5) throw e;
      }
    }
  }
  send(res, 404, { message: 'no route' });
}

const server = createServer((req, res) => {
  route(req, res).catch((e: Error) => send(res, 500, { message: e.message }));
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as { port: number }).port });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
