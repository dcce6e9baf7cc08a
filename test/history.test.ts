/**
 * Change history end to end: writes through the API, DynamoDB Local's stream, the twin's event source
 * mapping, the consumer function, and `GET /{resource}/{id}/history` over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type Twin } from '../local/twin';
import { DynamoDB } from '../src/store/dynamodb';
import { marshall } from '../src/store/marshal';

let twin: Twin;
let dataDir: string;
let auth: Record<string, string>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twin-history-'));
  twin = await startTwin({ port: 0, dataDir, inMemory: true });
  auth = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${await twin.token({ sub: 'alice', tenant: 'acme' })}`,
    'content-type': 'application/json',
  };
});

afterAll(async () => {
  await twin?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Polls `probe` until it returns a value, for at most `ms`: the stream is asynchronous by nature. */
async function eventually<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates an item through the API; returns its representation. */
async function createItem(body: Record<string, unknown>): Promise<Record<string, unknown> & { id: string }> {
  const res = await fetch(`${twin.url}/items`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as Record<string, unknown> & { id: string };
}

async function history(id: string, headers = auth) {
  const res = await fetch(`${twin.url}/items/${id}/history`, { headers });
  return { status: res.status, body: (await res.json()) as { entries: Record<string, unknown>[] } };
}

const entriesAtLeast = (id: string, n: number) =>
  eventually(async () => {
    const h = await history(id);
    return h.status === 200 && h.body.entries.length >= n ? h.body.entries : undefined;
  });

describe('item history through the twin', () => {
  it('records create, patch, patch, delete in order with who and what changed', async () => {
    const created = await createItem({ name: 'pen', price: 1 });
    const id = created.id as string;
    for (const [version, patch] of [
      [1, { price: 2 }],
      [2, { status: 'active' }],
    ] as const) {
      const res = await fetch(`${twin.url}/items/${id}`, {
        method: 'PATCH',
        headers: { ...auth, 'if-match': `"${version}"` },
        body: JSON.stringify(patch),
      });
      expect(res.status).toBe(200);
    }
    const bob = await twin.token({ sub: 'bob', tenant: 'acme' });
    const del = await fetch(`${twin.url}/items/${id}`, {
      method: 'DELETE',
      headers: { ...auth, authorization: `Bearer ${bob}` },
    });
    expect(del.status).toBe(204);

    const entries = await entriesAtLeast(id, 4);
    expect(entries.map((e) => [e.operation, e.versionBefore, e.versionAfter, e.principal])).toEqual([
      ['delete', 3, null, 'bob'],
      ['update', 2, 3, 'alice'],
      ['update', 1, 2, 'alice'],
      ['create', null, 1, 'alice'],
    ]);
    expect(entries[2]!.changes).toEqual([{ field: 'price', before: 1, after: 2 }]);
    expect(entries[1]!.changes).toEqual([{ field: 'status', after: 'active' }]);
    expect(entries[0]!.changes).toEqual([
      { field: 'name', before: 'pen' },
      { field: 'price', before: 2 },
      { field: 'status', before: 'active' },
    ]);
    expect(entries.every((e) => e.tenant === 'acme')).toBe(true);
  });

  it('keeps history per tenant: another tenant gets 404', async () => {
    const created = await createItem({ name: 'cup', price: 1 });
    await entriesAtLeast(created.id, 1);
    const other = { ...auth, authorization: `Bearer ${await twin.token({ sub: 'eve', tenant: 'globex' })}` };
    expect((await history(created.id, other)).status).toBe(404);
  });

  it('sets a poison record aside in the dead-letter destination and still processes the others', async () => {
    const db = new DynamoDB({
      endpoint: twin.engineEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const table = twin.tables[0]!.tableName;
    const poisonId = '01a20000-0000-7000-8000-00000000dead';
    // An item record the consumer cannot turn into an entry: its version is not a number.
    await db.call('PutItem', {
      TableName: table,
      Item: marshall({
        _pk: 'T#acme#R#items',
        _sk: poisonId,
        _type: 'item',
        id: poisonId,
        version: 'broken',
        name: 'x',
        price: 1,
      }),
    });
    const created = await createItem({ name: 'after', price: 1 });
    await entriesAtLeast(created.id, 1);
    const dead = await eventually(async () => {
      const letters = twin.deadLetters();
      return letters.length > 0 ? letters : undefined;
    }, 30_000);
    expect(JSON.stringify(dead)).toContain('DDBStreamBatchInfo');
    expect((await history(poisonId)).status).toBe(404);
  });

  it('never duplicates an entry when a record is delivered again', async () => {
    const created = await createItem({ name: 'once', price: 1 });
    const [entry] = await entriesAtLeast(created.id, 1);
    // Replay the change the way a retried batch would: the same INSERT record, delivered to the consumer again.
    const record = {
      eventID: 'replay',
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        ApproximateCreationDateTime: Date.now() / 1000,
        SequenceNumber: '1',
        NewImage: marshall({
          _pk: 'T#acme#R#items',
          _sk: created.id,
          _type: 'item',
          ...created,
        }),
      },
    };
    const result = await twin.lambda.invoke('HistoryConsumerFunction', { Records: [record, record] });
    expect(result).toEqual({ ok: true, payload: { batchItemFailures: [] } });
    const after = await history(created.id);
    expect(after.body.entries).toEqual([entry]);
  });
});
