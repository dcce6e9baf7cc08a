/**
 * The handlers against a real DynamoDB Local, invoked with API Gateway proxy events. (The same behaviour
 * over real HTTP through the twin is in `api.test.ts`.)
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBLocal } from '../local/engine/dynamodb-local';
import { DynamoDB } from '../src/store/dynamodb';
import { context, type EventInit, proxyEvent } from './support/events';
import { startEngineWithTable } from './support/table';

type Handler = (e: APIGatewayProxyEvent, c: typeof context) => Promise<APIGatewayProxyResult>;
const h: Record<string, Handler> = {};
let engine: DynamoDBLocal;
const ops: string[] = [];

beforeAll(async () => {
  const started = await startEngineWithTable('crud-test');
  engine = started.engine;
  Object.assign(process.env, {
    TABLE_NAME: 'crud-test',
    AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    CURSOR_SECRET: 'test-cursor-secret',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  // Record every DynamoDB operation the handlers issue.
  const call = DynamoDB.prototype.call;
  DynamoDB.prototype.call = function recorded(this: DynamoDB, op: string, input: Record<string, unknown>) {
    ops.push(op);
    return call.call(this, op, input);
  } as typeof call;
  for (const op of ['create', 'get', 'list', 'replace', 'patch', 'delete']) {
    h[op] = (await import(`../src/handlers/${op}.ts`)).handler;
  }
});

afterAll(async () => {
  await engine?.stop();
});

const route: Record<string, string> = { POST: 'create', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' };

async function send(init: EventInit) {
  const hasId = init.path.split('/').length > 2;
  const op = init.method === 'GET' ? (hasId ? 'get' : 'list') : route[init.method]!;
  const res = await h[op]!(proxyEvent({ tenant: 'acme', ...init }), context);
  return {
    status: res.statusCode,
    headers: res.headers ?? {},
    body: res.body ? JSON.parse(res.body) : undefined,
  };
}

const create = (body: unknown, init: Partial<EventInit> = {}) =>
  send({ method: 'POST', path: '/items', body, ...init });

describe('CRUD handlers on DynamoDB Local', () => {
  it('creates an item: 201, Location, ETag, server-owned fields', async () => {
    const r = await create({ name: 'pen', price: 2.5, status: 'active' });
    expect(r.status).toBe(201);
    expect(r.headers.location).toBe(`/items/${r.body.id}`);
    expect(r.headers.etag).toBe('"1"');
    expect(r.body).toMatchObject({ name: 'pen', price: 2.5, version: 1, createdBy: 'user-1' });
    expect(r.body.createdAt).toBe(r.body.updatedAt);
  });

  it('builds Location from the path as the client sent it: behind a stage, a base path, or none', async () => {
    const at = async (path: string | undefined, rawPath?: string) => {
      const event = proxyEvent({
        tenant: 'acme',
        method: 'POST',
        path: '/items',
        body: { name: 'a', price: 1 },
      });
      const ctx = { ...event.requestContext, ...(path === undefined ? {} : { path }) };
      const res = await h.create!(
        { ...event, requestContext: ctx, ...(rawPath ? { rawPath } : {}) },
        context,
      );
      return { location: res.headers?.location, id: JSON.parse(res.body).id };
    };
    const staged = await at('/prod/items');
    expect(staged.location).toBe(`/prod/items/${staged.id}`);
    const based = await at('/v1/api/items/');
    expect(based.location).toBe(`/v1/api/items/${based.id}`);
    // `//host/...` would resolve to another host.
    const hostile = await at('//evil.example/items');
    expect(hostile.location).toBe(`/evil.example/items/${hostile.id}`);
    // An HTTP API (2.0) event carries it in rawPath; with neither, the collection's own path.
    const v2 = await at(undefined, '/$default/items');
    expect(v2.location).toBe(`/$default/items/${v2.id}`);
    const bare = await at(undefined);
    expect(bare.location).toBe(`/items/${bare.id}`);
  });

  it('treats query parameter names that are Object members as unknown parameters', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      // As the gateway delivers them: parsed JSON, where "__proto__" is an own member.
      const event = proxyEvent({ tenant: 'acme', method: 'GET', path: '/items' });
      const mv = JSON.parse(`{${JSON.stringify(name)}:["x"]}`);
      const res = await h.list!({ ...event, multiValueQueryStringParameters: mv }, context);
      expect(res.statusCode, name).toBe(400);
      expect(JSON.parse(res.body).errors[0].pointer).toBe(`/query/${name}`);
    }
  });

  it('answers a PATCH nested 15,000 levels deep with a 400, not a stack overflow', async () => {
    const { body } = await create({ name: 'deep', price: 1 });
    const deep = `{"description":${'{"a":'.repeat(15_000)}1${'}'.repeat(15_000)}}`;
    const r = await send({ method: 'PATCH', path: `/items/${body.id}`, body: deep });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      {
        pointer: `/description${'/a'.repeat(31)}`,
        message: 'is nested deeper than the 32 levels DynamoDB stores',
      },
    ]);
  });

  it('reads an If-Match sent as several header lines as one list', async () => {
    const { body } = await create({ name: 'lines', price: 1 });
    const event = proxyEvent({
      tenant: 'acme',
      method: 'PUT',
      path: `/items/${body.id}`,
      body: { name: 'b', price: 2 },
    });
    // As API Gateway passes repeated headers: the last line in `headers`, every line in `multiValueHeaders`.
    const res = await h.replace!(
      {
        ...event,
        headers: { ...event.headers, 'If-Match': '"7"' },
        multiValueHeaders: { ...event.multiValueHeaders, 'If-Match': ['"1"', '"7"'] },
      },
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers?.etag).toBe('"2"');
  });

  it('gets an item with its ETag, and 304 for a matching If-None-Match', async () => {
    const { body } = await create({ name: 'cup', price: 4 });
    const got = await send({ method: 'GET', path: `/items/${body.id}` });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(body);
    const again = await send({
      method: 'GET',
      path: `/items/${body.id}`,
      headers: { 'if-none-match': got.headers.etag as string },
    });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
  });

  it('answers client mistakes with problem+json naming the field', async () => {
    const bad = await create({ name: '', price: -1, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('application/problem+json');
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/name',
      '/price',
      '/colour',
    ]);
    expect((await create('{"name": ')).body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(
      (await create({ name: 'x', price: 1 }, { headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(415);
    expect((await create({ name: 'x'.repeat(200_000), price: 1 })).status).toBe(413);
    expect((await send({ method: 'GET', path: '/items/not-an-id' })).status).toBe(400);
    expect(
      (await send({ method: 'GET', path: '/items', query: { limit: '101' } })).body.errors[0].pointer,
    ).toBe('/query/limit');
    expect((await send({ method: 'GET', path: '/items', query: { colour: 'red' } })).status).toBe(400);
  });

  it('rejects a request without a tenant: 401, never a default tenant', async () => {
    const r = await send({ method: 'GET', path: '/items', tenant: undefined });
    expect(r.status).toBe(401);
    expect(r.body.type).toMatch(/unauthenticated$/);
  });

  it('replaces, patches and deletes with If-Match; 412 on a stale tag, 404 when missing', async () => {
    const { body } = await create({ name: 'lamp', price: 10, tags: ['a'] });
    const path = `/items/${body.id}`;
    const put = await send({
      method: 'PUT',
      path,
      body: { name: 'lamp 2', price: 11 },
      headers: { 'if-match': '"1"' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'lamp 2', price: 11, version: 2, createdAt: body.createdAt });
    expect(put.body.tags).toBeUndefined();
    const stale = await send({ method: 'PATCH', path, body: { price: 1 }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    const patched = await send({
      method: 'PATCH',
      path,
      body: { price: 12, description: 'bright' },
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"2"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'lamp 2', price: 12, description: 'bright', version: 3 });
    const invalid = await send({ method: 'PATCH', path, body: { name: null } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([{ pointer: '/name', message: 'is required' }]);
    expect((await send({ method: 'DELETE', path, headers: { 'if-match': '"2"' } })).status).toBe(412);
    expect((await send({ method: 'DELETE', path, headers: { 'if-match': '"3"' } })).status).toBe(204);
    expect((await send({ method: 'DELETE', path })).status).toBe(404);
    expect((await send({ method: 'GET', path })).status).toBe(404);
    // An update of a missing item is a 404 and never creates it.
    expect((await send({ method: 'PUT', path, body: { name: 'ghost', price: 1 } })).status).toBe(404);
    expect((await send({ method: 'PATCH', path, body: { price: 1 } })).status).toBe(404);
    expect((await send({ method: 'GET', path })).status).toBe(404);
  });

  it('keeps tenants apart: another tenant gets 404 and an empty list', async () => {
    const { body } = await create({ name: 'secret', price: 1 }, { tenant: 'globex' });
    const path = `/items/${body.id}`;
    for (const method of ['GET', 'DELETE'])
      expect((await send({ method, path, tenant: 'initech' })).status).toBe(404);
    expect((await send({ method: 'PATCH', path, tenant: 'initech', body: { price: 2 } })).status).toBe(404);
    expect((await send({ method: 'GET', path: '/items', tenant: 'initech' })).body.items).toEqual([]);
    expect((await send({ method: 'GET', path, tenant: 'globex' })).status).toBe(200);
  });

  it('pages through a list with Query only, filtered and sorted, and rejects forged cursors', async () => {
    const tenant = 'pager';
    for (let i = 0; i < 7; i++)
      await create({ name: `n${i}`, price: 7 - i, status: i % 2 ? 'active' : 'draft' }, { tenant });
    ops.length = 0;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await send({
        method: 'GET',
        path: '/items',
        tenant,
        query: { limit: '3', ...(cursor ? { cursor } : {}) },
      });
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((i: { name: string }) => i.name));
      cursor = r.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    const byPrice = await send({
      method: 'GET',
      path: '/items',
      tenant,
      query: { sort: '-price', limit: '2' },
    });
    expect(byPrice.body.items.map((i: { price: number }) => i.price)).toEqual([7, 6]);
    const active = await send({ method: 'GET', path: '/items', tenant, query: { status: 'active' } });
    expect(active.body.items.map((i: { price: number }) => i.price)).toEqual([2, 4, 6]);
    expect(ops.every((o) => o === 'Query')).toBe(true);
    expect(ops).not.toContain('Scan');
    const forged = byPrice.body.nextCursor.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
    expect(
      (await send({ method: 'GET', path: '/items', tenant, query: { sort: '-price', cursor: forged } }))
        .status,
    ).toBe(400);
    // A cursor is bound to its query and tenant.
    expect(
      (await send({ method: 'GET', path: '/items', tenant, query: { cursor: byPrice.body.nextCursor } }))
        .status,
    ).toBe(400);
    expect(
      (
        await send({
          method: 'GET',
          path: '/items',
          tenant: 'other',
          query: { sort: '-price', cursor: byPrice.body.nextCursor },
        })
      ).status,
    ).toBe(400);
  });

  it('50 concurrent PATCHes with one If-Match: exactly one 200 and 49 x 412, no lost update', async () => {
    const { body } = await create({ name: 'race', price: 0 });
    const path = `/items/${body.id}`;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send({ method: 'PATCH', path, body: { price: i + 1 }, headers: { 'if-match': '"1"' } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const final = await send({ method: 'GET', path });
    expect(final.body.version).toBe(2);
    expect(final.body.price).toBe(results.find((r) => r.status === 200)!.body.price);
  });

  it('concurrent PATCHes without If-Match all land: the version counts every write', async () => {
    const { body } = await create({ name: 'counter', price: 0 });
    const path = `/items/${body.id}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => send({ method: 'PATCH', path, body: { description: `w${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await send({ method: 'GET', path })).body.version).toBe(6);
  });

  it('20 concurrent retries of one create with the same Idempotency-Key create exactly one item', async () => {
    const tenant = 'idem';
    const headers = { 'idempotency-key': 'order-42' };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => create({ name: 'once', price: 1 }, { tenant, headers })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const list = await send({ method: 'GET', path: '/items', tenant });
    expect(list.body.items).toHaveLength(1);
    const reused = await create({ name: 'other', price: 1 }, { tenant, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.type).toMatch(/idempotency-key-reused$/);
  });

  it('answers 503 with Retry-After when the engine is unreachable, without leaking internals', async () => {
    const { DynamoItemRepo } = await import('../src/store/item-store');
    const { DynamoHistoryRepo } = await import('../src/store/history-store');
    const { httpHandler } = await import('../src/handlers/http-adapter');
    const { getItem } = await import('../src/core/items');
    const { shapeFor } = await import('../src/resources/shapes');
    const dead = new DynamoDB({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      maxAttempts: 2,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const handler = httpHandler(
      'get',
      getItem,
      {
        repo: new DynamoItemRepo(dead, 't'),
        history: new DynamoHistoryRepo(dead, 't'),
        settings: () => ({ maxBodyBytes: 1000, cursorSecret: 'x' }),
        capacity: { units: 0 },
        allowedOrigins: [],
      },
      shapeFor,
    );
    const res = await handler(
      proxyEvent({ method: 'GET', path: '/items/0190b6a2-0000-7000-8000-000000000000', tenant: 'acme' }),
      context,
    );
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('1');
    expect(res.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|at /);
  });

  it('answers an unexpected failure with a 500 that carries only the request id', async () => {
    const { httpHandler } = await import('../src/handlers/http-adapter');
    const { shapeFor } = await import('../src/resources/shapes');
    const handler = httpHandler(
      'get',
      async () => {
        throw new Error('connection string postgres://admin:hunter2@db');
      },
      {
        repo: {} as never,
        history: {} as never,
        settings: () => ({ maxBodyBytes: 1000, cursorSecret: 'x' }),
        capacity: { units: 0 },
        allowedOrigins: [],
      },
      shapeFor,
    );
    const event = proxyEvent({
      method: 'GET',
      path: '/items/0190b6a2-0000-7000-8000-000000000000',
      tenant: 'acme',
    });
    const res = await handler(event, context);
    expect(res.statusCode).toBe(500);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      status: 500,
      title: 'Internal Server Error',
      requestId: event.requestContext.requestId,
    });
    expect(res.body).not.toMatch(/hunter2|postgres|Error:|at /);
  });
});
