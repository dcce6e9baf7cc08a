/**
 * Schema evolution through the twin: items written before the `status` filter existed (or under an older
 * declaration) are missing from the filter's index until `npm run backfill` rewrites their index attributes;
 * the backfill changes no version and adds no history entry. The command runs as a user runs it, against the
 * twin's Lambda API, and the function's DynamoDB calls pass the twin's IAM check of its role.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../infra/stack';
import { startTwin, type Twin } from '../local/twin';
import { shapes } from '../src/resources/shapes';
import { DynamoBackfill } from '../src/store/backfill-store';
import { DynamoDB } from '../src/store/dynamodb';
import { marshall, unmarshall } from '../src/store/marshal';
import { historyPartition, historySortKey, sortableNumber } from '../src/store/table-design';

let twin: Twin;
let dataDir: string;
let auth: Record<string, string>;
let db: DynamoDB;
let table: string;

const PK = 'T#acme#R#items';
const ids = {
  legacy: '01a20000-0000-7000-8000-0000000000a1',
  noHistory: '01a20000-0000-7000-8000-0000000000a2',
  stale: '01a20000-0000-7000-8000-0000000000a3',
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twin-backfill-'));
  twin = await startTwin({ port: 0, dataDir, inMemory: true });
  auth = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${await twin.token({ sub: 'alice', tenant: 'acme' })}`,
    'content-type': 'application/json',
  };
  db = new DynamoDB({
    endpoint: twin.engineEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  table = twin.tables[0]!.tableName;
});

afterAll(async () => {
  await twin?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function eventually<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An item record as the API wrote it while `items` had `sortBy: price` but no `status` filter. */
function legacyRecord(id: string, extra: Record<string, unknown> = {}) {
  return {
    _pk: PK,
    _sk: id,
    _type: 'item',
    _ssk: `${sortableNumber(5)}\u0001${id}`,
    _g1pk: PK,
    id,
    name: `legacy ${id.slice(-2)}`,
    price: 5,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    version: 3,
    createdBy: 'alice',
    updatedBy: 'alice',
    ...extra,
  };
}

async function activeIds(): Promise<string[]> {
  const res = await fetch(`${twin.url}/items?status=active&limit=100`, { headers: auth });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
}

async function historyOf(id: string) {
  const res = await fetch(`${twin.url}/items/${id}/history`, { headers: auth });
  return res.status === 200 ? ((await res.json()) as { entries: { versionAfter: number }[] }).entries : [];
}

async function record(id: string) {
  const out = await db.call<{ Item?: Record<string, never> }>('GetItem', {
    TableName: table,
    Key: { _pk: { S: PK }, _sk: { S: id } },
    ConsistentRead: true,
  });
  return out.Item ? unmarshall(out.Item) : undefined;
}

/** `npm run backfill -- --data-dir <twin's>`, as a user runs it. */
async function runBackfillCommand(): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'scripts/backfill.ts', '--data-dir', dataDir],
    { cwd: PROJECT_ROOT, timeout: 60_000 },
  );
  return stdout;
}

describe('npm run backfill through the twin', () => {
  it('puts items written before a filter field existed into its index, without a new version or history entry', async () => {
    await db.call('PutItem', { TableName: table, Item: marshall(legacyRecord(ids.legacy)) });
    await db.call('PutItem', { TableName: table, Item: marshall(legacyRecord(ids.noHistory)) });
    // Under an older declaration: filter 1 was another field, and a second filter field has been removed.
    await db.call('PutItem', {
      TableName: table,
      Item: marshall(legacyRecord(ids.stale, { _f1pk: `${PK}#colour=red`, _f2pk: `${PK}#size=L` })),
    });
    // Their INSERTs reach the history consumer as creates; one item predates history: its entry is dropped.
    for (const id of Object.values(ids))
      await eventually(async () => ((await historyOf(id)).length ? 1 : undefined));
    await db.call('DeleteItem', {
      TableName: table,
      Key: { _pk: { S: historyPartition('acme', 'items', ids.noHistory) }, _sk: { S: historySortKey(3) } },
    });
    const fresh = await fetch(`${twin.url}/items`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'new', price: 1, status: 'active' }),
    });
    const freshId = ((await fresh.json()) as { id: string }).id;

    expect(await activeIds()).toEqual([freshId]);

    const out = await runBackfillCommand();
    expect(out).toContain('Done: scanned 4, rewritten 3, raced 0');
    // Paced by what DynamoDB reports: the Scan and the updates consumed capacity, and the command says how much.
    expect(out).toMatch(/raced 0 \(left to concurrent writes\), [1-9][\d.]* capacity units/);
    expect(out).toMatch(/segment 1\/1: .*resume key none \(segment done\)/);

    expect(new Set(await activeIds())).toEqual(new Set([freshId, ...Object.values(ids)]));
    for (const id of Object.values(ids)) {
      const res = await fetch(`${twin.url}/items/${id}`, { headers: auth });
      expect(res.headers.get('etag')).toBe('"3"');
      expect(((await res.json()) as { updatedAt: string }).updatedAt).toBe('2026-01-02T00:00:00.000Z');
    }
    const stale = await record(ids.stale);
    expect(stale?._f1pk).toBe(`${PK}#status=active`);
    expect(stale && '_f2pk' in stale).toBe(false);

    // The stream is ordered per item: once a later write's entry is there, the rewrite's record was seen.
    for (const id of [ids.legacy, ids.noHistory]) {
      const patched = await fetch(`${twin.url}/items/${id}`, {
        method: 'PATCH',
        headers: { ...auth, 'if-match': '"3"' },
        body: JSON.stringify({ price: 6 }),
      });
      expect(patched.status).toBe(200);
      await eventually(async () => ((await historyOf(id)).some((e) => e.versionAfter === 4) ? 1 : undefined));
    }
    expect((await historyOf(ids.legacy)).map((e) => e.versionAfter)).toEqual([4, 3]);
    expect((await historyOf(ids.noHistory)).map((e) => e.versionAfter)).toEqual([4]);
  });

  it('rewrites nothing on a second run: every item is up to date', async () => {
    const out = await runBackfillCommand();
    expect(out).toMatch(/Done: scanned \d+, rewritten 0, raced 0/);
  });

  it('never overwrites a write that lands between its Scan and its update: that write wins, version and all', async () => {
    const id = '01a20000-0000-7000-8000-0000000000b1';
    await db.call('PutItem', { TableName: table, Item: marshall(legacyRecord(id)) });
    // The real engine, with a real API write let in just before the backfill's update of this item.
    class RacingDb extends DynamoDB {
      override async call<T>(op: string, input: Record<string, unknown>): Promise<T> {
        if (op === 'UpdateItem' && JSON.stringify(input.Key).includes(id)) {
          const res = await fetch(`${twin.url}/items/${id}`, {
            method: 'PATCH',
            headers: auth,
            body: JSON.stringify({ price: 9 }),
          });
          expect(res.status).toBe(200);
        }
        return super.call<T>(op, input);
      }
    }
    const racing = new RacingDb({
      endpoint: twin.engineEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const backfill = new DynamoBackfill(racing, table, shapes);
    let raced = 0;
    let rewritten = 0;
    let startKey: Record<string, never> | undefined;
    do {
      const page = await backfill.page({
        segment: 0,
        totalSegments: 1,
        limit: 2,
        ...(startKey ? { startKey } : {}),
      });
      raced += page.raced;
      rewritten += page.rewritten;
      startKey = page.nextKey as Record<string, never> | undefined;
    } while (startKey);
    expect({ raced, rewritten }).toEqual({ raced: 1, rewritten: 0 });
    const after = await record(id);
    expect(after).toMatchObject({ version: 4, price: 9, _f1pk: `${PK}#status=active` });
    expect(after?._ssk).toBe(`${sortableNumber(9)}\u0001${id}`);
  });
});
