/**
 * The {@link ItemRepo} and {@link HistoryRepo} ports in memory, for the domain's unit tests. It follows the
 * DynamoDB adapter (`item-store.ts`, `history-store.ts`) in everything the domain relies on, and
 * `item-repo.contract.ts` runs the same suite against both:
 *
 * - conditional writes fail with the same domain errors (`ItemMissing`, `VersionMismatch` carrying the item
 *   as it is, `IdempotencyKeyTaken`, `WriteContention` for an id already taken);
 * - lists use the same key design (`table-design.ts`): the order of `_ssk` compared as UTF-8 bytes, as
 *   DynamoDB compares strings; filters by the same index partition, so `"1"` and `1` are different values;
 * - a page is full at `limit` and then has a `next` even when nothing follows, as a `Query` with `Limit` does;
 * - like TTL, an expired item or idempotency record stays until deleted: readers hide it (`expiredAt`), and an
 *   expired idempotency key may be taken again.
 *
 * Not emulated: throttling, transaction conflicts between concurrent callers (every call here is atomic), item
 * size limits, eventual consistency.
 * @module
 */
import { BadRequest } from '../core/errors';
import { type HistoryEntry, sequenceOf } from '../core/history';
import {
  type Caller,
  type ExpectedVersion,
  type HistoryPage,
  type HistoryRepo,
  IdempotencyKeyTaken,
  type IdempotencyRecord,
  ItemMissing,
  type ItemRepo,
  type ListQuery,
  type Page,
  type StoredItem,
  VersionMismatch,
  WriteContention,
} from '../core/ports';
import type { ResourceShape } from '../core/resource';
import { filterPartitionKey, historySortKey, partitionKey, sortKeyFor } from './table-design';

type Position = Readonly<Record<string, unknown>>;

/** DynamoDB orders strings by their UTF-8 bytes (code point order), not by UTF-16 units as `<` does. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** What `ExpectedVersion` allows, as the adapter's condition does: an empty list allows no version. */
function versionAllowed(expected: ExpectedVersion | undefined, version: number): boolean {
  if (expected === undefined) return true;
  return typeof expected === 'number' ? expected === version : expected.includes(version);
}

/** The entries after `after` (by key), in order, at most `limit`, and where the next page starts. */
function pageOf<T>(
  sorted: readonly T[],
  keyOf: (t: T) => string,
  descending: boolean,
  limit: number,
  after: string | undefined,
): { rows: T[]; more: boolean } {
  const ordered = descending ? [...sorted].reverse() : [...sorted];
  const sign = descending ? -1 : 1;
  const rest = after === undefined ? ordered : ordered.filter((t) => sign * byBytes(keyOf(t), after) > 0);
  const rows = rest.slice(0, limit);
  // A Query that stops at its Limit returns a LastEvaluatedKey whether or not anything follows.
  return { rows, more: rows.length === limit };
}

/** One tenant-and-resource partition of items, and the other records, as the single table keeps them. */
class MemoryTable {
  readonly items = new Map<string, Map<string, StoredItem>>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  readonly history = new Map<string, Map<string, HistoryEntry>>();
  readonly deletions = new Map<string, { principal: string; at: string }>();

  partition(caller: Caller, resource: ResourceShape): Map<string, StoredItem> {
    const pk = partitionKey(caller.tenant, resource.name);
    const p = this.items.get(pk) ?? new Map<string, StoredItem>();
    this.items.set(pk, p);
    return p;
  }
}

/** Stored values are copies, as a database's are: a caller mutating what it wrote or read changes nothing. */
const copy = <T>(v: T): T => structuredClone(v);

/** The in-memory {@link ItemRepo}. */
export class MemoryItemRepo implements ItemRepo {
  constructor(
    private readonly table: MemoryTable,
    /** Epoch milliseconds, for the expiry of idempotency records. @default Date.now */
    private readonly clock: () => number = Date.now,
  ) {}

  async get(caller: Caller, resource: ResourceShape, id: string): Promise<StoredItem | undefined> {
    const item = this.table.partition(caller, resource).get(id);
    return item && copy(item);
  }

  async create(
    caller: Caller,
    resource: ResourceShape,
    item: StoredItem,
    idem?: IdempotencyRecord,
  ): Promise<void> {
    const partition = this.table.partition(caller, resource);
    const key = idem && `${caller.tenant}\n${idem.key}`;
    if (key) {
      const held = this.table.idempotency.get(key);
      // An expired record (TTL deletion is lazy) no longer holds the key.
      if (held && held.expiresAt > Math.floor(this.clock() / 1000)) throw new IdempotencyKeyTaken(idem.key);
    }
    if (partition.has(item.id)) throw new WriteContention('id already taken');
    partition.set(item.id, copy(item));
    if (key) this.table.idempotency.set(key, copy(idem));
  }

  async getIdempotency(caller: Caller, key: string): Promise<IdempotencyRecord | undefined> {
    const record = this.table.idempotency.get(`${caller.tenant}\n${key}`);
    return record && copy(record);
  }

  /** The item a conditional write may change: it exists and is at an expected version. */
  private writable(caller: Caller, resource: ResourceShape, id: string, expected?: ExpectedVersion) {
    const current = this.table.partition(caller, resource).get(id);
    if (!current) throw new ItemMissing(id);
    if (!versionAllowed(expected, current.version)) throw new VersionMismatch(copy(current));
    return current;
  }

  async replace(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    data: Readonly<Record<string, unknown>>,
    now: string,
    expectedVersion?: ExpectedVersion,
  ): Promise<StoredItem> {
    const current = this.writable(caller, resource, id, expectedVersion);
    const next: StoredItem = {
      ...current,
      data: copy(data),
      version: current.version + 1,
      updatedAt: now,
      updatedBy: caller.principal,
    };
    this.table.partition(caller, resource).set(id, next);
    return copy(next);
  }

  async delete(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    now: string,
    expectedVersion?: ExpectedVersion,
  ): Promise<void> {
    this.writable(caller, resource, id, expectedVersion);
    this.table.partition(caller, resource).delete(id);
    this.table.deletions.set(historyKey(caller.tenant, resource.name, id), {
      principal: caller.principal,
      at: now,
    });
  }

  async list(q: ListQuery): Promise<Page> {
    const pk = partitionKey(q.caller.tenant, q.resource.name);
    const indexed = q.filter !== undefined || q.sort === 'field';
    let all = [...this.table.partition(q.caller, q.resource).values()];
    if (q.filter) {
      const { field, value } = q.filter;
      const want = filterPartitionKey(pk, field, value);
      all = all.filter((i) => {
        const v = i.data[field];
        const keyable = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
        return keyable && filterPartitionKey(pk, field, v) === want;
      });
    }
    const keyOf = (i: StoredItem) => (indexed ? sortKeyFor(q.resource, i.data, i.id) : i.id);
    all.sort((a, b) => byBytes(keyOf(a), keyOf(b)));
    let after: string | undefined;
    if (q.after) {
      const { id, s } = q.after;
      if (typeof id !== 'string' || (indexed && typeof s !== 'string'))
        throw new BadRequest('cursor is not valid');
      after = indexed ? (s as string) : id;
    }
    const { rows, more } = pageOf(all, keyOf, q.descending, q.limit, after);
    const positionOf = (i: StoredItem): Position => (indexed ? { id: i.id, s: keyOf(i) } : { id: i.id });
    const last = rows.at(-1);
    return {
      items: rows.map(copy),
      positions: rows.map(positionOf),
      ...(more && last ? { next: positionOf(last) } : {}),
    };
  }
}

function historyKey(tenant: string, resource: string, id: string): string {
  return `${tenant}\n${resource}\n${id}`;
}

/** The in-memory {@link HistoryRepo}; sees the deletions its {@link MemoryItemRepo} recorded. */
export class MemoryHistoryRepo implements HistoryRepo {
  constructor(private readonly table: MemoryTable) {}

  async record(tenant: string, resource: string, id: string, entry: HistoryEntry): Promise<boolean> {
    const key = historyKey(tenant, resource, id);
    const entries = this.table.history.get(key) ?? new Map<string, HistoryEntry>();
    this.table.history.set(key, entries);
    const sk = historySortKey(sequenceOf(entry));
    if (entries.has(sk)) return false;
    entries.set(sk, copy(entry));
    return true;
  }

  async deletionOf(tenant: string, resource: string, id: string) {
    const d = this.table.deletions.get(historyKey(tenant, resource, id));
    return d && { ...d };
  }

  async list(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    limit: number,
    after?: Position,
  ): Promise<HistoryPage> {
    const entries = this.table.history.get(historyKey(caller.tenant, resource.name, id)) ?? new Map();
    const keys = [...entries.keys()].sort(byBytes);
    const from = after && typeof after.s === 'string' ? after.s : undefined;
    const { rows, more } = pageOf(keys, (k) => k, true, limit, from);
    const last = rows.at(-1);
    return {
      entries: rows.map((k) => copy(entries.get(k)!)),
      positions: rows.map((s) => ({ s })),
      ...(more && last ? { next: { s: last } } : {}),
    };
  }
}

/** A fresh, empty store: an item repository and the history repository that shares its table. */
export function memoryStore(clock?: () => number): { items: MemoryItemRepo; history: MemoryHistoryRepo } {
  const table = new MemoryTable();
  return { items: new MemoryItemRepo(table, clock), history: new MemoryHistoryRepo(table) };
}
