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
import { partitionKey } from '../../src/store/table-design';
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
  readonly rows: readonly CapacityRow[];
}

export async function capacity(
  twin: BenchTwin,
  loadRequests: readonly RequestRecord[],
  ids: readonly string[],
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

  // The sizes the minimums rest on, read straight from the engine: one item, and the page a list returns.
  const db = new DynamoDB({
    endpoint: twin.engineEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const table = (await db.call<{ TableNames: string[] }>('ListTables', {})).TableNames[0] as string;
  const page = await db.call<{ Items: AttributeMap[] }>('Query', {
    TableName: table,
    KeyConditionExpression: '#k = :k',
    ExpressionAttributeNames: { '#k': '_pk' },
    ExpressionAttributeValues: { ':k': { S: partitionKey(TENANT, items.name) } },
    ScanIndexForward: false,
    Limit: 25,
  });
  const sizes = page.Items.map(itemSize);
  const itemBytes = Math.max(...sizes);
  const pageBytes = sizes.reduce((a, b) => a + b, 0);
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
      units: rcu(pageBytes, false),
      reads: rcu(pageBytes, false),
      basis: `eventually consistent Query of the page: 25 items, ${pageBytes} B`,
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
      units: 0.5,
      reads: 0.5,
      basis: 'eventually consistent Query of the history partition (the twin runs no stream consumer: empty)',
      note: '',
    },
  };

  const rows: CapacityRow[] = Object.entries(minimum).map(([op, m]) => {
    const values = all.filter((r) => r.operation === op).map((r) => r.capacity);
    const measured = values.length ? median(values) : Number.NaN;
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
  const data: CapacityData = { itemBytes, pageBytes, rows };

  const markdown = [
    '## 3. DynamoDB capacity per request',
    '',
    `Consumed capacity units as DynamoDB Local reports them (\`ReturnConsumedCapacity: TOTAL\`, indexes included), from the handlers' log lines of every load and a few extra requests; the minimum from the item sizes read back from the engine (largest item ${itemBytes} B, list page ${pageBytes} B).`,
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
  const list = rows.find((r) => r.operation === 'list');
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
      figure: 'list reads only its page',
      target: `= ${list?.minimum} RCU (${pageBytes} B page)`,
      measured: `${list?.measured} RCU`,
      met: list?.measured === list?.minimum,
    },
  ];
  return { name: 'capacity', data, markdown, checks };
}
