/**
 * Writes whose answer was lost (issue 13): the handlers against DynamoDB Local through a proxy that lets a
 * write through and then resets the connection before DynamoDB's answer reaches our client, the first time
 * only. The client retries; each operation must answer as if nothing had happened: the status of success, the
 * item as written, one version step.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBLocal } from '../local/engine/dynamodb-local';
import { type DropProxy, startDropProxy } from './support/drop-proxy';
import { context, type EventInit, proxyEvent } from './support/events';
import { startEngineWithTable } from './support/table';

type Handler = (e: APIGatewayProxyEvent, c: typeof context) => Promise<APIGatewayProxyResult>;
const h: Record<string, Handler> = {};
let engine: DynamoDBLocal;
let proxy: DropProxy;

beforeAll(async () => {
  engine = (await startEngineWithTable('lost-answers')).engine;
  proxy = await startDropProxy(engine.endpoint);
  Object.assign(process.env, {
    TABLE_NAME: 'lost-answers',
    AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    CURSOR_SECRET: 'test-cursor-secret',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  for (const op of ['create', 'get', 'replace', 'patch', 'delete']) {
    h[op] = (await import(`../src/handlers/${op}.ts`)).handler;
  }
});

afterAll(async () => {
  await proxy?.close();
  await engine?.stop();
});

const route: Record<string, string> = { POST: 'create', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' };

async function send(init: EventInit) {
  const op = init.method === 'GET' ? 'get' : route[init.method]!;
  const res = await h[op]!(proxyEvent({ tenant: 'acme', ...init }), context);
  return {
    status: res.statusCode,
    headers: res.headers ?? {},
    body: res.body ? JSON.parse(res.body) : undefined,
  };
}

/** Loses DynamoDB's answer to the next `op` call whose request mentions `marker`. */
function loseAnswer(op: string, marker: string, instead: 'reset' | 'error 500' = 'reset') {
  proxy.dropNextAnswer((r) => r.includes(`DynamoDB_20120810.${op}`) && r.includes(marker), instead);
}

async function created(name: string) {
  const r = await send({ method: 'POST', path: '/items', body: { name, price: 1 } });
  expect(r.status).toBe(201);
  return r.body as Record<string, unknown> & { id: string };
}

describe('a write whose answer was lost, retried by our client', () => {
  it('create: 201 with the item, stored once at version 1', async () => {
    const before = proxy.dropped;
    loseAnswer('PutItem', 'lost-create');
    const r = await send({ method: 'POST', path: '/items', body: { name: 'lost-create', price: 1e-7 } });
    expect(proxy.dropped).toBe(before + 1);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'lost-create', price: 1e-7, version: 1 });
    const got = await send({ method: 'GET', path: `/items/${r.body.id}` });
    expect(got.body).toEqual(r.body);
  });

  it('create with an Idempotency-Key: 201, not a replay, one item', async () => {
    const before = proxy.dropped;
    loseAnswer('TransactWriteItems', 'lost-keyed-create');
    const r = await send({
      method: 'POST',
      path: '/items',
      body: { name: 'lost-keyed-create', price: 2 },
      headers: { 'idempotency-key': 'lost-keyed-create' },
    });
    expect(proxy.dropped).toBe(before + 1);
    expect(r.status).toBe(201);
    expect(r.headers['idempotent-replayed']).toBeUndefined();
    expect(r.body).toMatchObject({ name: 'lost-keyed-create', version: 1 });
    const got = await send({ method: 'GET', path: `/items/${r.body.id}` });
    expect(got.body).toEqual(r.body);
  });

  it.each([
    ['without If-Match', {}],
    ['with If-Match', { 'if-match': '"1"' }],
  ])('PUT %s: 200 with the item, one version step', async (_, headers) => {
    const item = await created('put-me');
    const before = proxy.dropped;
    loseAnswer('UpdateItem', item.id);
    const r = await send({
      method: 'PUT',
      path: `/items/${item.id}`,
      body: { name: 'put', price: 3 },
      headers,
    });
    expect(proxy.dropped).toBe(before + 1);
    expect(r.status).toBe(200);
    expect(r.headers.etag).toBe('"2"');
    expect(r.body).toMatchObject({ id: item.id, name: 'put', price: 3, version: 2 });
    const got = await send({ method: 'GET', path: `/items/${item.id}` });
    expect(got.body).toEqual(r.body);
  });

  it('PATCH: 200 with the merged item, one version step', async () => {
    const item = await created('patch-me');
    const before = proxy.dropped;
    loseAnswer('UpdateItem', item.id);
    const r = await send({ method: 'PATCH', path: `/items/${item.id}`, body: { price: 4 } });
    expect(proxy.dropped).toBe(before + 1);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: item.id, name: 'patch-me', price: 4, version: 2 });
    const got = await send({ method: 'GET', path: `/items/${item.id}` });
    expect(got.body).toEqual(r.body);
  });

  it.each([
    ['without If-Match', {}],
    ['with If-Match', { 'if-match': '"1"' }],
  ])('DELETE %s: 204, and the item is gone', async (_, headers) => {
    const item = await created('delete-me');
    const before = proxy.dropped;
    loseAnswer('TransactWriteItems', item.id);
    const r = await send({ method: 'DELETE', path: `/items/${item.id}`, headers });
    expect(proxy.dropped).toBe(before + 1);
    expect(r.status).toBe(204);
    expect((await send({ method: 'GET', path: `/items/${item.id}` })).status).toBe(404);
  });

  it('PUT answered with a 500 after it was applied: 200, one version step', async () => {
    const item = await created('put-500');
    const before = proxy.dropped;
    loseAnswer('UpdateItem', item.id, 'error 500');
    const r = await send({
      method: 'PUT',
      path: `/items/${item.id}`,
      body: { name: 'put-500', price: 5 },
      headers: { 'if-match': '"1"' },
    });
    expect(proxy.dropped).toBe(before + 1);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: item.id, price: 5, version: 2 });
  });

  it('still answers a real conflict on a first attempt: 412, 404', async () => {
    const item = await created('conflict');
    const stale = await send({
      method: 'PUT',
      path: `/items/${item.id}`,
      body: { name: 'x', price: 1 },
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
    expect((await send({ method: 'DELETE', path: `/items/${item.id}` })).status).toBe(204);
    expect((await send({ method: 'DELETE', path: `/items/${item.id}` })).status).toBe(404);
    expect((await send({ method: 'PATCH', path: `/items/${item.id}`, body: { price: 1 } })).status).toBe(404);
  });
});
