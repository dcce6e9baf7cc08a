/**
 * The contract of the storage ports ({@link ItemRepo}, {@link HistoryRepo}), run against every adapter: the
 * in-memory one (`memory-store.test.ts`) and DynamoDB's on DynamoDB Local (`item-store.test.ts`). What the
 * domain relies on is written here once, so the two cannot drift apart.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../core/errors';
import type { HistoryEntry } from '../core/history';
import { uuidv7 } from '../core/ids';
import {
  type Caller,
  type HistoryRepo,
  IdempotencyKeyTaken,
  type IdempotencyRecord,
  ItemMissing,
  type ItemRepo,
  type ListQuery,
  type StoredItem,
  VersionMismatch,
  WriteContention,
} from '../core/ports';
import { items as itemsResource } from '../resources/items';
import { notes } from '../resources/notes';

/** What a contract run needs: a repository pair sharing one store. Each test uses its own tenant. */
export interface RepoPair {
  readonly items: ItemRepo;
  readonly history: HistoryRepo;
}

let tenants = 0;
const newCaller = (principal = 'alice'): Caller => ({
  tenant: `t${process.pid}-${Date.now()}-${++tenants}`,
  principal,
});

const T0 = Date.UTC(2030, 0, 1);
let clock = 0;
function stored(data: Record<string, unknown>, by = 'alice'): StoredItem {
  const at = new Date(T0 + ++clock * 1000).toISOString();
  return {
    id: uuidv7(T0 + clock),
    data,
    createdAt: at,
    updatedAt: at,
    version: 1,
    createdBy: by,
    updatedBy: by,
  };
}

function idem(key: string, itemId: string, expiresAt: number): IdempotencyRecord {
  return { key, fingerprint: 'f', itemId, body: '{"id":"x"}', version: 1, expiresAt };
}

/** Every item of a list, page after page, following `next`; and how many pages it took. */
async function listAll(repo: ItemRepo, q: Omit<ListQuery, 'after'>) {
  const ids: string[] = [];
  let after: ListQuery['after'];
  let pages = 0;
  do {
    const page = await repo.list({ ...q, ...(after ? { after } : {}) });
    expect(page.positions).toHaveLength(page.items.length);
    ids.push(...page.items.map((i) => i.id));
    after = page.next;
    if (++pages > 50) throw new Error('the list does not end');
  } while (after);
  return { ids, pages };
}

function entry(versionAfter: number | null, versionBefore: number | null): HistoryEntry {
  return {
    at: '2030-01-01T00:00:00.000Z',
    operation: versionAfter === null ? 'delete' : versionBefore === null ? 'create' : 'update',
    principal: 'alice',
    tenant: 't',
    versionBefore,
    versionAfter,
    changes: [{ field: 'name', after: `v${versionAfter}` }],
  };
}

/** Defines the contract suite for the adapter `make` returns (called once per test). */
export function itemRepoContract(name: string, make: () => Promise<RepoPair> | RepoPair): void {
  describe(`${name}: ItemRepo contract`, () => {
    const R = itemsResource;

    it('returns undefined for an unknown id, and an item only to its own tenant', async () => {
      const { items } = await make();
      const me = newCaller();
      const item = stored({ name: 'pen', price: 2, tags: ['a'] });
      expect(await items.get(me, R, item.id)).toBeUndefined();
      await items.create(me, R, item);
      expect(await items.get(me, R, item.id, { consistent: true })).toEqual(item);
      expect(await items.get(newCaller(), R, item.id)).toBeUndefined();
      expect(await items.get(me, notes, item.id)).toBeUndefined();
    });

    it('never overwrites on create: an id taken is WriteContention and the first item stays', async () => {
      const { items } = await make();
      const me = newCaller();
      const item = stored({ name: 'pen', price: 2 });
      await items.create(me, R, item);
      await expect(items.create(me, R, { ...item, data: { name: 'other', price: 3 } })).rejects.toThrow(
        WriteContention,
      );
      expect((await items.get(me, R, item.id))?.data).toEqual({ name: 'pen', price: 2 });
    });

    it('replaces the client fields, bumps the version, keeps who created it', async () => {
      const { items } = await make();
      const me = newCaller();
      const item = stored({ name: 'pen', price: 2, status: 'draft' });
      await items.create(me, R, item);
      const bob = { ...me, principal: 'bob' };
      const at = '2031-01-01T00:00:00.000Z';
      const next = await items.replace(bob, R, item.id, { name: 'ink', price: 0 }, at);
      const want = { ...item, data: { name: 'ink', price: 0 }, version: 2, updatedAt: at, updatedBy: 'bob' };
      expect(next).toEqual(want);
      expect(await items.get(me, R, item.id, { consistent: true })).toEqual(want);
    });

    it('replaces only at an expected version; a mismatch carries the item as it is', async () => {
      const { items } = await make();
      const me = newCaller();
      const item = stored({ name: 'pen', price: 2 });
      await items.create(me, R, item);
      const at = '2031-01-01T00:00:00.000Z';
      const err = await items.replace(me, R, item.id, { name: 'x', price: 1 }, at, 2).catch((e) => e);
      expect(err).toBeInstanceOf(VersionMismatch);
      expect((err as VersionMismatch).current).toEqual(item);
      await expect(items.replace(me, R, item.id, { name: 'x', price: 1 }, at, [])).rejects.toThrow(
        VersionMismatch,
      );
      expect((await items.replace(me, R, item.id, { name: 'x', price: 1 }, at, [5, 1])).version).toBe(2);
      expect((await items.replace(me, R, item.id, { name: 'y', price: 1 }, at, 2)).version).toBe(3);
    });

    it('never creates on replace or delete: ItemMissing', async () => {
      const { items } = await make();
      const me = newCaller();
      const id = uuidv7();
      const at = '2031-01-01T00:00:00.000Z';
      await expect(items.replace(me, R, id, { name: 'x', price: 1 }, at)).rejects.toThrow(ItemMissing);
      await expect(items.replace(me, R, id, { name: 'x', price: 1 }, at, 1)).rejects.toThrow(ItemMissing);
      await expect(items.delete(me, R, id, at)).rejects.toThrow(ItemMissing);
      await expect(items.delete(me, R, id, at, [1, 2])).rejects.toThrow(ItemMissing);
      expect(await items.get(me, R, id, { consistent: true })).toBeUndefined();
    });

    it('deletes at an expected version, and records who deleted it', async () => {
      const { items, history } = await make();
      const me = newCaller();
      const item = stored({ name: 'pen', price: 2 });
      await items.create(me, R, item);
      const at = '2031-01-01T00:00:00.000Z';
      const err = await items.delete(me, R, item.id, at, [2, 3]).catch((e) => e);
      expect(err).toBeInstanceOf(VersionMismatch);
      expect((err as VersionMismatch).current.version).toBe(1);
      expect(await history.deletionOf(me.tenant, R.name, item.id)).toBeUndefined();
      await items.delete({ ...me, principal: 'bob' }, R, item.id, at, 1);
      expect(await items.get(me, R, item.id, { consistent: true })).toBeUndefined();
      expect(await history.deletionOf(me.tenant, R.name, item.id)).toEqual({ principal: 'bob', at });
      expect(await history.deletionOf(newCaller().tenant, R.name, item.id)).toBeUndefined();
    });

    it('records an idempotency key with its item, once per tenant, until it expires', async () => {
      const { items } = await make();
      const me = newCaller();
      const later = Math.floor(Date.now() / 1000) + 3600;
      const first = stored({ name: 'a', price: 1 });
      await items.create(me, R, first, idem('k1', first.id, later));
      expect(await items.getIdempotency(me, 'k1')).toEqual(idem('k1', first.id, later));
      expect(await items.getIdempotency(newCaller(), 'k1')).toBeUndefined();
      const second = stored({ name: 'b', price: 1 });
      await expect(items.create(me, R, second, idem('k1', second.id, later))).rejects.toThrow(
        IdempotencyKeyTaken,
      );
      expect(await items.get(me, R, second.id, { consistent: true })).toBeUndefined();
      // Another tenant has keys of its own.
      const other = newCaller();
      await items.create(other, R, second, idem('k1', second.id, later));
      expect((await items.getIdempotency(other, 'k1'))?.itemId).toBe(second.id);
    });

    it('lets an expired idempotency key be taken again', async () => {
      const { items } = await make();
      const me = newCaller();
      const past = Math.floor(Date.now() / 1000) - 10;
      const first = stored({ name: 'a', price: 1 });
      await items.create(me, R, first, idem('old', first.id, past));
      const second = stored({ name: 'b', price: 1 });
      await items.create(me, R, second, idem('old', second.id, past + 7200));
      expect((await items.getIdempotency(me, 'old'))?.itemId).toBe(second.id);
    });

    it('lets a key be taken again in the very second its record expires, as the domain then judges it', async () => {
      // The domain treats a record as expired once expiresAt <= now; a store that held it for that whole second
      // refused the key while the domain kept retrying, and the create ended in a 500.
      const { items } = await make();
      const me = newCaller();
      const now = Math.floor(Date.now() / 1000);
      const first = stored({ name: 'a', price: 1 });
      await items.create(me, R, first, idem('edge', first.id, now));
      const second = stored({ name: 'b', price: 1 });
      await items.create(me, R, second, idem('edge', second.id, now + 7200));
      expect((await items.getIdempotency(me, 'edge'))?.itemId).toBe(second.id);
    });
  });

  describe(`${name}: ItemRepo.list contract`, () => {
    const R = itemsResource;
    const base = (caller: Caller) => ({
      caller,
      resource: R,
      sort: 'id' as const,
      descending: false,
      limit: 2,
    });

    async function seed(items: ItemRepo, caller: Caller, rows: Record<string, unknown>[]) {
      const made: StoredItem[] = [];
      for (const data of rows) {
        const item = stored(data);
        await items.create(caller, R, item);
        made.push(item);
      }
      return made.map((i) => i.id);
    }

    it('lists in creation order, either way, page by page, only the tenant’s own', async () => {
      const { items } = await make();
      const me = newCaller();
      const ids = await seed(
        items,
        me,
        [1, 2, 3, 4, 5].map((price) => ({ name: 'n', price })),
      );
      await seed(items, newCaller(), [{ name: 'other', price: 1 }]);
      const asc = await listAll(items, base(me));
      expect(asc.ids).toEqual(ids);
      expect(asc.pages).toBe(3);
      expect((await listAll(items, { ...base(me), descending: true })).ids).toEqual([...ids].reverse());
      const page = await items.list({ ...base(me), limit: 10 });
      expect(page.items.map((i) => i.id)).toEqual(ids);
      expect(page.next).toBeUndefined();
      expect(page.items[0]).toMatchObject({ data: { name: 'n', price: 1 }, version: 1 });
    });

    it('continues right after any position it gave, and a full page has a next', async () => {
      const { items } = await make();
      const me = newCaller();
      const ids = await seed(
        items,
        me,
        [1, 2, 3].map((price) => ({ name: 'n', price })),
      );
      const page = await items.list({ ...base(me), limit: 3 });
      expect(page.next).toBeDefined();
      expect((await items.list({ ...base(me), after: page.next! })).items).toEqual([]);
      const rest = await items.list({ ...base(me), limit: 5, after: page.positions[0]! });
      expect(rest.items.map((i) => i.id)).toEqual(ids.slice(1));
      const sorted = await items.list({ ...base(me), sort: 'field', limit: 5 });
      const afterFirst = await items.list({
        ...base(me),
        sort: 'field',
        limit: 5,
        after: sorted.positions[0]!,
      });
      expect(afterFirst.items.map((i) => i.id)).toEqual(ids.slice(1));
    });

    it('sorts by the declared field: numbers numerically (negatives too), ties by creation', async () => {
      const { items } = await make();
      const me = newCaller();
      const prices = [10, -1, 2.5, 100, 2.5, 0, -20];
      const ids = await seed(
        items,
        me,
        prices.map((price) => ({ name: 'n', price })),
      );
      const order = prices
        .map((p, i) => ({ p, id: ids[i]! }))
        .sort((a, b) => a.p - b.p)
        .map((x) => x.id);
      expect((await listAll(items, { ...base(me), sort: 'field' })).ids).toEqual(order);
      expect((await listAll(items, { ...base(me), sort: 'field', descending: true })).ids).toEqual(
        [...order].reverse(),
      );
    });

    it('sorts strings by code point, and an item without the field first', async () => {
      const { items } = await make();
      const me = newCaller();
      const titles = ['b', 'a', '\u{1F600}', '\uFF21', 'ab', undefined];
      const ids: string[] = [];
      for (const title of titles) {
        const item = stored(title === undefined ? {} : { title });
        await items.create(me, notes, item);
        ids.push(item.id);
      }
      const got = await listAll(items, { ...base(me), resource: notes, sort: 'field', limit: 4 });
      expect(got.ids).toEqual([ids[5], ids[1], ids[4], ids[0], ids[3], ids[2]]);
    });

    it('filters by equality through the filter index, sorted by the sort field, typed', async () => {
      const { items } = await make();
      const me = newCaller();
      const ids = await seed(items, me, [
        { name: 'a', price: 3, status: 'active' },
        { name: 'b', price: 1, status: 'draft' },
        { name: 'c', price: 2, status: 'active' },
        { name: 'd', price: 0 },
        { name: 'e', price: 1, status: 'active' },
      ]);
      const q = { ...base(me), sort: 'field' as const, filter: { field: 'status', value: 'active' } };
      expect((await listAll(items, q)).ids).toEqual([ids[4], ids[2], ids[0]]);
      expect((await listAll(items, { ...q, descending: true })).ids).toEqual([ids[0], ids[2], ids[4]]);
      expect((await listAll(items, { ...q, filter: { field: 'status', value: 'archived' } })).ids).toEqual(
        [],
      );
      const note = stored({ title: 't', pinned: true });
      await items.create(me, notes, note);
      await items.create(me, notes, stored({ title: 'u', pinned: false }));
      await items.create(me, notes, stored({ title: 'v' }));
      const pinned = { ...q, resource: notes, filter: { field: 'pinned', value: true } };
      expect((await listAll(items, pinned)).ids).toEqual([note.id]);
    });

    it('follows a replace: a changed sort or filter field moves the item', async () => {
      const { items } = await make();
      const me = newCaller();
      const [a, b] = await seed(items, me, [
        { name: 'a', price: 1, status: 'active' },
        { name: 'b', price: 2, status: 'active' },
      ]);
      await items.replace(me, R, a!, { name: 'a', price: 5 }, '2031-01-01T00:00:00.000Z');
      const q = { ...base(me), sort: 'field' as const };
      expect((await listAll(items, q)).ids).toEqual([b, a]);
      expect((await listAll(items, { ...q, filter: { field: 'status', value: 'active' } })).ids).toEqual([b]);
    });

    it('refuses a position of the wrong shape as a bad cursor', async () => {
      const { items } = await make();
      const me = newCaller();
      await expect(items.list({ ...base(me), after: { id: 3 } })).rejects.toThrow(BadRequest);
      await expect(items.list({ ...base(me), sort: 'field', after: { id: 'x' } })).rejects.toThrow(
        'cursor is not valid',
      );
    });
  });

  describe(`${name}: HistoryRepo contract`, () => {
    it('records each version once and lists newest first, page by page', async () => {
      const { history } = await make();
      const me = newCaller();
      const id = uuidv7();
      expect(await history.record(me.tenant, 'items', id, entry(1, null))).toBe(true);
      expect(await history.record(me.tenant, 'items', id, entry(1, null))).toBe(false);
      for (let v = 2; v <= 11; v++) await history.record(me.tenant, 'items', id, entry(v, v - 1));
      await history.record(me.tenant, 'items', id, entry(null, 11));
      const seen: (number | null)[] = [];
      let after: Readonly<Record<string, unknown>> | undefined;
      do {
        const page = await history.list(me, itemsResource, id, 5, after);
        expect(page.positions).toHaveLength(page.entries.length);
        seen.push(...page.entries.map((e) => e.versionAfter ?? -1));
        after = page.next;
      } while (after);
      expect(seen).toEqual([-1, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      const first = await history.list(me, itemsResource, id, 2);
      expect(first.entries[0]).toEqual(entry(null, 11));
      const rest = await history.list(me, itemsResource, id, 2, first.positions[0]);
      expect(rest.entries[0]?.versionAfter).toBe(11);
    });

    it('keeps histories apart by tenant, resource and item', async () => {
      const { history } = await make();
      const me = newCaller();
      const id = uuidv7();
      await history.record(me.tenant, 'items', id, entry(1, null));
      expect((await history.list(newCaller(), itemsResource, id, 5)).entries).toEqual([]);
      expect((await history.list(me, notes, id, 5)).entries).toEqual([]);
      expect((await history.list(me, itemsResource, uuidv7(), 5)).entries).toEqual([]);
    });
  });
}
