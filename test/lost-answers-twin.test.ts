/**
 * Writes whose answer was lost, through the twin over real HTTP (issue 13): the twin's functions reach
 * DynamoDB Local through a proxy that lets one write through and resets the connection before DynamoDB's
 * answer. Each request must be answered as if nothing had happened, and the item's history (DynamoDB Local's
 * stream, the twin's event source mapping, the consumer) must hold one entry per write: no version step twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDBLocal, startDynamoDBLocal } from '../local/engine/dynamodb-local';
import { startTwin, type Twin } from '../local/twin';
import { type DropProxy, startDropProxy } from './support/drop-proxy';

let engine: DynamoDBLocal;
let proxy: DropProxy;
let twin: Twin;
let dataDir: string;
let auth: Record<string, string>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twin-lost-answers-'));
  engine = await startDynamoDBLocal();
  proxy = await startDropProxy(engine.endpoint);
  twin = await startTwin({ port: 0, dataDir, dynamodbEndpoint: proxy.endpoint });
  auth = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${await twin.token({ sub: 'alice', tenant: 'acme' })}`,
    'content-type': 'application/json',
  };
});

afterAll(async () => {
  await twin?.stop();
  await proxy?.close();
  await engine?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Sends one request, losing DynamoDB's answer to the first `op` call that mentions `marker`. */
async function withLostAnswer(op: string, marker: string, path: string, init: RequestInit) {
  const before = proxy.dropped;
  proxy.dropNextAnswer((r) => r.includes(`DynamoDB_20120810.${op}`) && r.includes(marker));
  const res = await fetch(`${twin.url}${path}`, { ...init, headers: { ...auth, ...init.headers } });
  expect(proxy.dropped, `${op} answer lost`).toBe(before + 1);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Polls the item's history until `done` holds, for at most 15 s: the stream is asynchronous by nature. */
async function historyUntil(id: string, done: (entries: Record<string, unknown>[]) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${twin.url}/items/${id}/history`, { headers: auth });
    const entries =
      res.status === 200 ? ((await res.json()) as { entries: Record<string, unknown>[] }).entries : [];
    if (done(entries)) return entries;
    if (Date.now() > deadline) throw new Error(`history of ${id}: not complete within 15 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('writes whose answer was lost, through the twin', () => {
  it('create, PUT, PATCH and DELETE answer 201, 200, 200, 204 with one history entry each', async () => {
    const created = await withLostAnswer('PutItem', 'twin-lost', '/items', {
      method: 'POST',
      body: JSON.stringify({ name: 'twin-lost', price: 1 }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'twin-lost', price: 1, version: 1 });
    const id = created.body.id as string;

    const put = await withLostAnswer('UpdateItem', id, `/items/${id}`, {
      method: 'PUT',
      body: JSON.stringify({ name: 'twin-put', price: 2 }),
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, name: 'twin-put', price: 2, version: 2 });

    const patch = await withLostAnswer('UpdateItem', id, `/items/${id}`, {
      method: 'PATCH',
      headers: { 'if-match': '"2"' },
      body: JSON.stringify({ price: 3 }),
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ id, name: 'twin-put', price: 3, version: 3 });
    const got = await fetch(`${twin.url}/items/${id}`, { headers: auth });
    expect(await got.json()).toEqual(patch.body);

    const del = await withLostAnswer('TransactWriteItems', id, `/items/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await fetch(`${twin.url}/items/${id}`, { headers: auth })).status).toBe(404);

    // The stream keeps one item's records in order: once the delete's entry is there, every write's is.
    const entries = await historyUntil(id, (e) => e.some((x) => x.operation === 'delete'));
    expect(entries.map((e) => [e.operation, e.versionBefore, e.versionAfter])).toEqual([
      ['delete', 3, null],
      ['update', 2, 3],
      ['update', 1, 2],
      ['create', null, 1],
    ]);
  });

  it('a create with an Idempotency-Key answers 201 once, not as a replay, with one history entry', async () => {
    const created = await withLostAnswer('TransactWriteItems', 'twin-keyed', '/items', {
      method: 'POST',
      headers: { 'idempotency-key': 'twin-keyed-1' },
      body: JSON.stringify({ name: 'twin-keyed', price: 1 }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('idempotent-replayed')).toBeNull();
    const id = created.body.id as string;
    const got = await fetch(`${twin.url}/items/${id}`, { headers: auth });
    expect(await got.json()).toEqual(created.body);
    const entries = await historyUntil(id, (e) => e.length >= 1);
    expect(entries.map((e) => [e.operation, e.versionAfter])).toEqual([['create', 1]]);
  });
});
