/**
 * Section 3, DynamoDB capacity per request: what each API operation consumed (our handlers ask DynamoDB Local
 * for `ReturnConsumedCapacity: TOTAL` and log `consumedCapacity`; the twin's log is parsed) next to the
 * theoretical minimum for the item sizes and the indexes each write touches:
 * - reads: 4 KB units, 0.5 per unit eventually consistent, 1 strongly consistent; a Query sums its items;
 * - writes: 1 per KB on the table and on each index the write changes (an index whose key changes is a
 *   delete and a put there: 2); a transaction costs twice its parts.
 * @module
 */
import { items } from '../../src/resources/items';
import { DynamoDB } from '../../src/store/dynamodb';
import type { AttributeMap, AttributeValue } from '../../src/store/marshal';
import { historyPartition, partitionKey } from '../../src/store/table-design';
import { createItems, itemBody, TENANT } from '../lib/fixtures';
import { type Check, mdTable, type SectionResult } from '../lib/report';
import { median } from '../lib/stats';
import type { RequestRecord } from '../lib/twin-child';
import type { BenchTwin } from '../lib/twin-host';

/** The size DynamoDB bills for an attribute value (names are added by {@link itemSize}). */
function valueSize(v: AttributeValue): number {
  const a = v as Record<string, unknown>;
  if (typeof a.S === 'string') return Buffer.byteLength(a.S);
  if (typeof a.N === 'string') {
    const digits = a.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (typeof a.B === 'string') return Buffer.from(a.B, 'base64').length;
  if (a.BOOL !== undefined || a.NULL !== undefined) return 1;
  if (Array.isArray(a.L)) return 3 + (a.L as AttributeValue[]).reduce((n, x) => n + 1 + valueSize(x), 0);
  if (a.M && typeof a.M === 'object') return 3 + itemSize(a.M as AttributeMap) + Object.keys(a.M).length;
  if (Array.isArray(a.SS)) return (a.SS as string[]).reduce((n, s) => n + Buffer.byteLength(s), 0);
  return 0;
}

/** An item's size as DynamoDB counts it: attribute names plus values. */
export function itemSize(item: AttributeMap): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + valueSize(v);
  return n;
}

const rcu = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
const wcu = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

export interface CapacityRow {
  readonly operation: string;
  readonly samples: number;
  /** Median consumed capacity units per request, and every distinct value seen. */
  readonly measured: number;
  readonly seen: readonly number[];
  readonly minimum: number;
  /** What the minimum is made of. */
  readonly basis: string;
  /** Read units in the measured figure (for costs); the rest are write units. */
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly note: string;
}

export interface CapacityData {
  readonly itemBytes: number;
  readonly pageBytes: number;
  /** List requests, each with its page's size, the minimum for it and what the function reported. */
  readonly pages: readonly { bytes: number; expected: number; measured: number }[];
  /** History requests, likewise. */
  readonly histories: readonly { bytes: number; expected: number; measured: number }[];
  readonly rows: readonly CapacityRow[];
}

export async function capacity(
  twin: BenchTwin,
  loadRequests: readonly RequestRecord[],
  ids: readonly string[],
  table: string,
): Promise<SectionResult & { data: CapacityData }> {
  // The operations the loads did not exercise: a few requests each.
  const token = await twin.token('bench-user', TENANT);
  const headers = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  const victims = await createItems(twin.url, headers, 5);
  for (let i = 0; i < 5; i++) {
    const id = ids[i] as string;
    const call = async (method: string, path: string, body?: unknown, ok = [200, 201, 204]) => {
      const r = await fetch(`${twin.url}${path}`, {
        method,
        headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!ok.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    };
    await call('PUT', `/items/${id}`, itemBody(1000 + i));
    // 404 when no stream consumer has written the item's history yet: the Query was made all the same.
    await call('GET', `/items/${id}/history`, undefined, [200, 404]);
    await call('DELETE', `/items/${victims[i]}`);
  }
  const logs = await twin.drain();
  const all = [...loadRequests, ...logs.requests].filter(
    (r) => r.status < 300 || (r.operation === 'history' && r.status === 404),
  );
  const historyFound = all.some((r) => r.operation === 'history' && r.status === 200);

  // The sizes the minimums rest on, read straight from the engine: the records of the pages the list function
  // returned (fetched by key), each next to what the function reported for that very request.
  const db = new DynamoDB({
    endpoint: twin.engineEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const pk = partitionKey(TENANT, items.name);
  const pages: { bytes: number; expected: number; measured: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${twin.url}/items?limit=25`, { headers });
    const body = (await r.json()) as { items: { id: string }[] };
    const reported = (await twin.drain()).requests.find((x) => x.operation === 'list');
    const got = await db.call<{ Responses: Record<string, AttributeMap[]> }>('BatchGetItem', {
      RequestItems: { [table]: { Keys: body.items.map((it) => ({ _pk: { S: pk }, _sk: { S: it.id } })) } },
    });
    const bytes = (got.Responses[table] ?? []).map(itemSize).reduce((a, b) => a + b, 0);
    pages.push({ bytes, expected: rcu(bytes, false), measured: reported?.capacity ?? Number.NaN });
  }
  // History likewise: each request next to the page of its item's history partition (newest 25 entries).
  const histories: { bytes: number; expected: number; measured: number }[] = [];
  for (const id of ids.slice(0, 5)) {
    const r = await fetch(`${twin.url}/items/${id}/history`, { headers });
    await r.arrayBuffer();
    const reported = (await twin.drain()).requests.find((x) => x.operation === 'history');
    const out = await db.call<{ Items: AttributeMap[] }>('Query', {
      TableName: table,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :v)',
      ExpressionAttributeNames: { '#pk': '_pk', '#sk': '_sk' },
      ExpressionAttributeValues: { ':pk': { S: historyPartition(TENANT, items.name, id) }, ':v': { S: 'v' } },
      ScanIndexForward: false,
      Limit: 25,
    });
    const bytes = out.Items.map(itemSize).reduce((a, b) => a + b, 0);
    // DynamoDB Local reports 0 for a Query that finds nothing (AWS bills 0.5).
    histories.push({
      bytes,
      expected: bytes ? rcu(bytes, false) : 0,
      measured: reported?.capacity ?? Number.NaN,
    });
  }
  const page = await db.call<{ Items: AttributeMap[] }>('Query', {
    TableName: table,
    KeyConditionExpression: '#k = :k',
    ExpressionAttributeNames: { '#k': '_pk' },
    ExpressionAttributeValues: { ':k': { S: pk } },
    Limit: 100,
  });
  const itemBytes = Math.max(...page.Items.map(itemSize));
  const pageBytes = median(pages.map((p) => p.bytes));
  // Every bench item has a price (gsi1, the sort index) and no status (gsi2, the filter index, is not written).
  const indexes = items.sortBy ? 1 : 0;

  const minimum: Record<string, { units: number; reads: number; basis: string; note: string }> = {
    get: {
      units: rcu(itemBytes, false),
      reads: rcu(itemBytes, false),
      basis: `eventually consistent read of ${itemBytes} B`,
      note: '',
    },
    list: {
      units: median(pages.map((p) => p.expected)),
      reads: median(pages.map((p) => p.expected)),
      basis: `eventually consistent Query of the page it returns: 25 items, ${pageBytes} B (median of ${pages.length} requests, each compared with its own page)`,
      note: 'reads exactly the page it returns (Limit = page size)',
    },
    create: {
      units: wcu(itemBytes) * (1 + indexes),
      reads: 0,
      basis: `put of ${itemBytes} B on the table + gsi1 (the sort index)`,
      note: 'no Idempotency-Key; with one it is a transaction with the key record: 2 x (2 + 1)',
    },
    patch: {
      units: rcu(itemBytes, true) + wcu(itemBytes) * (1 + 2 * indexes),
      reads: rcu(itemBytes, true),
      basis:
        'strongly consistent read (1) + update on the table (1) + gsi1, whose key (price) changes: delete + put (2)',
      note: 'the write alone would be 3: the consistent read (1 RCU) is by design (merge and validate the whole item, no lost update)',
    },
    replace: {
      units: wcu(itemBytes) * (1 + 2 * indexes),
      reads: 0,
      basis: 'conditional update on the table (1) + gsi1 key change: delete + put (2)',
      note: 'no read: one conditional UpdateItem',
    },
    delete: {
      units: 2 * (wcu(itemBytes) * (1 + indexes) + 1),
      reads: 0,
      basis: 'transaction 2 x (delete on table + gsi1 (2) + put of the deleted-by record (1))',
      note: 'a bare delete would be 2: the transaction and the deleted-by record are by design (change history)',
    },
    history: {
      units: median(histories.map((h) => h.expected)),
      reads: median(histories.map((h) => h.expected)),
      basis: `eventually consistent Query of the item's history page it returns (median ${median(histories.map((h) => h.bytes))} B over ${histories.length} requests, each compared with its own page)`,
      note: historyFound
        ? ''
        : 'no stream consumer wrote entries: DynamoDB Local reports 0 for an empty Query, AWS bills 0.5',
    },
  };

  const rows: CapacityRow[] = Object.entries(minimum).map(([op, m]) => {
    const values = all.filter((r) => r.operation === op).map((r) => r.capacity);
    // Lists: each request against its own page (pages change as the loads add items).
    const measured =
      op === 'list'
        ? median(pages.map((p) => p.measured))
        : op === 'history'
          ? median(histories.map((h) => h.measured))
          : values.length
            ? median(values)
            : Number.NaN;
    return {
      operation: op,
      samples: values.length,
      measured,
      seen: [...new Set(values)].sort((a, b) => a - b),
      minimum: m.units,
      basis: m.basis,
      readUnits: Math.min(m.reads, measured),
      writeUnits: Math.max(0, measured - m.reads),
      note: m.note,
    };
  });
  const data: CapacityData = { itemBytes, pageBytes, pages, histories, rows };

  const markdown = [
    '## 3. DynamoDB capacity per request',
    '',
    `Consumed capacity units as DynamoDB Local reports them (\`ReturnConsumedCapacity: TOTAL\`, indexes included), from the handlers' log lines of every load and a few extra requests; the minimum from the item sizes read back from the engine (largest item ${itemBytes} B, list page ${pageBytes} B). "Values seen" are every distinct figure over the loads (a patch that lost a race and retried reads and writes again).`,
    '',
    mdTable(
      ['operation', 'requests', 'measured (median)', 'values seen', 'minimum', 'minimum is', 'gap / note'],
      rows.map((r) => [
        r.operation,
        r.samples,
        r.measured,
        r.seen.join(', '),
        r.minimum,
        r.basis,
        r.measured === r.minimum
          ? r.note
            ? `none; ${r.note}`
            : 'none'
          : `${(r.measured - r.minimum).toFixed(1)}; ${r.note}`,
      ]),
    ),
  ].join('\n');

  const off = rows.filter((r) => r.measured !== r.minimum);
  const checks: Check[] = [
    {
      section: 'capacity',
      figure: 'consumed capacity = minimum, every operation',
      target: 'equal',
      measured: off.length
        ? off.map((r) => `${r.operation} ${r.measured} vs ${r.minimum}`).join('; ')
        : `all ${rows.length} equal`,
      met: off.length === 0,
    },
    {
      section: 'capacity',
      figure: 'list reads only its page (each request vs its own page)',
      target: 'equal, every request',
      measured: pages.map((p) => `${p.measured} vs ${p.expected} (${p.bytes} B)`).join('; '),
      met: pages.every((p) => p.measured === p.expected),
    },
  ];
  return { name: 'capacity', data, markdown, checks };
}
