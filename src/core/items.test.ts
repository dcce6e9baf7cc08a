/**
 * The item operations on the in-memory store: engine-free, no environment, no patching. Every status and
 * message a client reads is asserted as it is sent.
 */
import { describe, expect, it } from 'vitest';
import { items as itemsResource } from '../resources/items';
import { notes } from '../resources/notes';
import { memoryStore } from '../store/memory-store';
import { AppError } from './errors';
import type { HttpReply, HttpRequest } from './http';
import { isId } from './ids';
import {
  createItem,
  DEFAULT_LIMIT,
  expiredAt,
  getItem,
  listHistory,
  listItems,
  MAX_LIMIT,
  type OperationInput,
  represent,
  requireId,
} from './items';
import { type ItemRepo, type StoredItem, WriteContention } from './ports';
import type { Resource } from './resource';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const caller = { tenant: 'acme', principal: 'alice' };
const settings = { maxBodyBytes: 1000, cursorSecret: 's3cret' };
const JSON_CT = { 'content-type': 'application/json' };

// biome-ignore lint/suspicious/noExplicitAny: reply bodies are JSON, read only in assertions.
type Json = any;

type Req = Partial<HttpRequest> & { json?: unknown };

/** An operation's input on a fresh store (or `store`), with a request built from `req`. */
function setup(store = memoryStore()) {
  const input = (req: Req = {}, over: Partial<OperationInput> = {}): OperationInput => {
    const { json, ...rest } = req;
    return {
      repo: store.items,
      history: store.history,
      caller,
      resource: itemsResource,
      settings,
      now: NOW,
      ...over,
      request: {
        headers: json === undefined ? {} : JSON_CT,
        query: {},
        body: json === undefined ? undefined : JSON.stringify(json),
        ...rest,
      },
    };
  };
  return { store, input };
}

/** The problem an operation throws: its status, message and field errors. */
async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return { status: e.status, message: e.message, ...(e.errors ? { errors: e.errors } : {}) };
}

const bodyOf = (r: HttpReply) => (r.json === undefined ? r.body : JSON.parse(r.json)) as Json;

describe('createItem', () => {
  it('answers 201 with the item, its ETag and Location; stores it', async () => {
    const { store, input } = setup();
    const r = await createItem(input({ json: { name: 'pen', price: 2, id: 'mine', version: 9 } }));
    const body = bodyOf(r);
    expect(r.status).toBe(201);
    expect(isId(body.id)).toBe(true);
    expect(body).toEqual({
      id: body.id,
      name: 'pen',
      price: 2,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      version: 1,
      createdBy: 'alice',
      updatedBy: 'alice',
    });
    expect(r.headers).toEqual({ etag: '"1"', location: `/items/${body.id}` });
    expect((await store.items.get(caller, itemsResource, body.id))?.data).toEqual({ name: 'pen', price: 2 });
  });

  it('builds Location from the path the client sent, collapsing leading and trailing slashes', async () => {
    const { input } = setup();
    const at = async (path: string) => {
      const r = await createItem(input({ json: { name: 'a', price: 1 }, path }));
      return r.headers!.location!.replace(bodyOf(r).id, 'ID');
    };
    expect(await at('/prod/items')).toBe('/prod/items/ID');
    expect(await at('//evil.example/items/')).toBe('/evil.example/items/ID');
    expect(await at('')).toBe('/items/ID');
    expect(await at('/')).toBe('/items/ID');
  });

  it('refuses a body it cannot take, naming why', async () => {
    const { input } = setup();
    expect(await failure(createItem(input({ json: { name: '', price: 1 } })))).toEqual({
      status: 400,
      message: '/name: must not be empty',
      errors: [{ pointer: '/name', message: 'must not be empty' }],
    });
    expect(await failure(createItem(input({ body: '{', headers: JSON_CT })))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^the body is not valid JSON: /),
    });
    expect(
      await failure(createItem(input({ body: '{}', headers: { 'content-type': 'text/plain' } }))),
    ).toEqual({
      status: 415,
      message: 'Content-Type must be application/json, not text/plain',
    });
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const { input } = setup();
    for (const key of ['', 'a b', 'x'.repeat(256), 'é']) {
      expect(
        await failure(
          createItem(
            input({ json: { name: 'a', price: 1 }, headers: { ...JSON_CT, 'idempotency-key': key } }),
          ),
        ),
      ).toEqual({
        status: 400,
        message: '/headers/idempotency-key: must be 1-255 visible ASCII characters',
        errors: [{ pointer: '/headers/idempotency-key', message: 'must be 1-255 visible ASCII characters' }],
      });
    }
    const ok = await createItem(
      input({
        json: { name: 'a', price: 1 },
        headers: { ...JSON_CT, 'idempotency-key': `!~${'x'.repeat(253)}` },
      }),
    );
    expect(ok.status).toBe(201);
  });

  it('refuses an item whose TTL has passed, naming the field', async () => {
    const { input } = setup();
    const past = { title: 't', expiresAt: '2029-12-31T23:59:59Z' };
    expect(await failure(createItem(input({ json: past }, { resource: notes })))).toEqual({
      status: 400,
      message: '/expiresAt: is in the past: the item would expire as it is created',
      errors: [{ pointer: '/expiresAt', message: 'is in the past: the item would expire as it is created' }],
    });
    const at = await createItem(
      input({ json: { ...past, expiresAt: NOW.toISOString() } }, { resource: notes }),
    ).catch((e) => e);
    expect(at.status).toBe(400);
    const future = await createItem(
      input({ json: { ...past, expiresAt: '2030-01-01T00:00:01Z' } }, { resource: notes }),
    );
    expect(future.status).toBe(201);
  });

  describe('with an Idempotency-Key', () => {
    const keyed = (json: unknown, key = 'k-1') => ({ json, headers: { ...JSON_CT, 'idempotency-key': key } });

    it('replays the first 201 for the same body in any key order, and creates nothing more', async () => {
      const { store, input } = setup();
      const first = await createItem(input(keyed({ name: 'a', price: 1 })));
      expect(first.headers).not.toHaveProperty('idempotent-replayed');
      const again = await createItem(
        input({ ...keyed({ price: 1, name: 'a', updatedBy: 'x' }), path: '/v1/items' }),
      );
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers).toEqual({
        etag: '"1"',
        location: `/v1/items/${bodyOf(first).id}`,
        'idempotent-replayed': 'true',
      });
      const page = await store.items.list({
        caller,
        resource: itemsResource,
        sort: 'id',
        descending: false,
        limit: 10,
      });
      expect(page.items).toHaveLength(1);
      const record = await store.items.getIdempotency(caller, 'k-1');
      expect(record?.expiresAt).toBe(NOW.getTime() / 1000 + 86_400);
    });

    it('is 422 for the same key with another body', async () => {
      const { input } = setup();
      await createItem(input(keyed({ name: 'a', price: 1 })));
      expect(await failure(createItem(input(keyed({ name: 'a', price: 2 }))))).toEqual({
        status: 422,
        message: 'this Idempotency-Key was already used with a different request',
      });
      // The same body for another resource is another request.
      const other = await createItem(input(keyed({ title: 'a' }, 'k-2'), { resource: notes }));
      expect(await failure(createItem(input(keyed({ name: 'a', price: 1 }, 'k-2'))))).toMatchObject({
        status: 422,
      });
      expect(other.status).toBe(201);
    });

    it('fingerprints the body by content: nested key order is the same request, array order is not', async () => {
      const { input } = setup();
      const first = await createItem(input(keyed({ name: 'a', price: 1, tags: ['x', 'y'] }, 'k-3')));
      const same = await createItem(input(keyed({ tags: ['x', 'y'], price: 1, name: 'a' }, 'k-3')));
      expect(same.headers?.['idempotent-replayed']).toBe('true');
      expect(bodyOf(same).id).toBe(bodyOf(first).id);
      for (const other of [
        { name: 'a', price: 1, tags: ['y', 'x'] },
        { name: 'a', price: 1, tags: ['x'] },
        { name: 'a', price: 1, tags: ['x', 'y'], status: 'draft' },
        { name: 'a', price: 1 },
      ]) {
        expect(await failure(createItem(input(keyed(other, 'k-3'))))).toMatchObject({ status: 422 });
      }
    });

    it('takes a key again once it expired, with the configured lifetime', async () => {
      let clock = NOW.getTime();
      const store = memoryStore(() => clock);
      const { input } = setup(store);
      const s = { ...settings, idempotencyTtlSeconds: 60 };
      await createItem(input(keyed({ name: 'a', price: 1 }), { settings: s }));
      expect((await store.items.getIdempotency(caller, 'k-1'))?.expiresAt).toBe(NOW.getTime() / 1000 + 60);
      const later = new Date(NOW.getTime() + 61_000);
      clock = later.getTime();
      const fresh = await createItem(input(keyed({ name: 'b', price: 1 }), { settings: s, now: later }));
      expect(fresh.headers).not.toHaveProperty('idempotent-replayed');
      expect(bodyOf(fresh).name).toBe('b');
    });

    it('retries a create whose key was being written concurrently, then gives up', async () => {
      const { store, input } = setup();
      let calls = 0;
      const busy: ItemRepo = {
        ...store.items,
        getIdempotency: store.items.getIdempotency.bind(store.items),
        create: async () => {
          calls++;
          throw new WriteContention('transaction conflict');
        },
      } as unknown as ItemRepo;
      await expect(createItem(input(keyed({ name: 'a', price: 1 }), { repo: busy }))).rejects.toThrow(
        WriteContention,
      );
      expect(calls).toBe(6);
      // Without a key, a lost race is not retried here.
      calls = 0;
      await expect(createItem(input({ json: { name: 'a', price: 1 } }, { repo: busy }))).rejects.toThrow(
        WriteContention,
      );
      expect(calls).toBe(1);
    });
  });
});

async function created(
  input: ReturnType<typeof setup>['input'],
  json: unknown,
  resource: Resource = itemsResource,
) {
  return bodyOf(await createItem(input({ json }, { resource }))) as Json & { id: string };
}

describe('getItem', () => {
  it('answers 200 with the item and its ETag; 404 for a missing or foreign one', async () => {
    const { input } = setup();
    const item = await created(input, { name: 'a', price: 1 });
    const r = await getItem(input({ pathId: item.id }));
    expect(r).toEqual({ status: 200, headers: { etag: '"1"' }, body: item });
    expect(
      await failure(getItem(input({ pathId: item.id }, { caller: { tenant: 'other', principal: 'x' } }))),
    ).toEqual({
      status: 404,
      message: `items/${item.id} does not exist`,
    });
  });

  it('refuses an id that is not one', async () => {
    const { input } = setup();
    for (const [pathId, shown] of [
      ['nope', 'nope'],
      [undefined, ''],
      ['0190B6A2-0000-7000-8000-000000000000', '0190B6A2-0000-7000-8000-000000000000'],
    ] as const) {
      expect(await failure(getItem(input({ pathId })))).toEqual({
        status: 400,
        message: `"${shown}" is not an item id: ids are UUIDs such as 0190b6a2-...`,
      });
    }
    expect(
      requireId({ headers: {}, query: {}, body: undefined, pathId: '0190b6a2-0000-7000-8000-000000000000' }),
    ).toBe('0190b6a2-0000-7000-8000-000000000000');
  });

  it('answers 304 when If-None-Match matches (weak comparison, or *), 412 when If-Match does not', async () => {
    const { input } = setup();
    const item = await created(input, { name: 'a', price: 1 });
    const get = (headers: Record<string, string>) => getItem(input({ pathId: item.id, headers }));
    for (const inm of ['"1"', 'W/"1"', '"5", "1"', '*']) {
      expect(await get({ 'if-none-match': inm })).toEqual({ status: 304, headers: { etag: '"1"' } });
    }
    expect((await get({ 'if-none-match': '"2"' })).status).toBe(200);
    expect((await get({ 'if-match': '"1"' })).status).toBe(200);
    expect((await get({ 'if-match': '*' })).status).toBe(200);
    expect(await failure(get({ 'if-match': 'W/"1"' }))).toEqual({
      status: 412,
      message: 'If-Match does not match the current ETag "1"',
    });
    expect(await failure(get({ 'if-match': '1' }))).toMatchObject({
      status: 400,
      errors: [{ pointer: '/headers/if-match' }],
    });
    expect(await failure(get({ 'if-none-match': ',' }))).toMatchObject({
      status: 400,
      errors: [{ pointer: '/headers/if-none-match' }],
    });
  });

  it('hides an item whose TTL has passed, by ISO date or epoch seconds', async () => {
    const { store, input } = setup();
    const item = await created(input, { title: 't', expiresAt: '2030-01-01T00:00:10Z' }, notes);
    const at = (now: Date) => getItem(input({ pathId: item.id }, { resource: notes, now }));
    expect((await at(new Date('2030-01-01T00:00:09.999Z'))).status).toBe(200);
    expect(await failure(at(new Date('2030-01-01T00:00:10Z')))).toEqual({
      status: 404,
      message: `notes/${item.id} does not exist`,
    });
    const stored = (await store.items.get(caller, notes, item.id))!;
    const t = NOW.getTime() / 1000;
    const ttl = (v: unknown): StoredItem => ({ ...stored, data: { ...stored.data, expiresAt: v } });
    expect(expiredAt(notes, ttl(t), NOW)).toBe(true);
    expect(expiredAt(notes, ttl(t + 1), NOW)).toBe(false);
    expect(expiredAt(notes, ttl('not a date'), NOW)).toBe(false);
    expect(expiredAt(notes, ttl(undefined), NOW)).toBe(false);
    expect(expiredAt(notes, ttl(true), NOW)).toBe(false);
    expect(expiredAt(itemsResource, ttl(t), NOW)).toBe(false);
  });
});

describe('represent', () => {
  it('puts the server fields around the client fields, which cannot override them', () => {
    const item: StoredItem = {
      id: 'i',
      data: { name: 'a', version: 99 },
      createdAt: 'c',
      updatedAt: 'u',
      version: 3,
      createdBy: 'cb',
      updatedBy: 'ub',
    };
    expect(Object.entries(represent(item))).toEqual([
      ['id', 'i'],
      ['name', 'a'],
      ['version', 3],
      ['createdAt', 'c'],
      ['updatedAt', 'u'],
      ['createdBy', 'cb'],
      ['updatedBy', 'ub'],
    ]);
  });
});

describe('listItems', () => {
  async function seeded(n: number) {
    const { store, input } = setup();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const status = ['draft', 'active', 'archived'][i % 3];
      ids.push((await created(input, { name: `n${i}`, price: (i * 7) % 5, status })).id);
    }
    return { store, input, ids };
  }
  const list = async (input: ReturnType<typeof setup>['input'], query: Record<string, string | string[]>) => {
    const q = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
    return bodyOf(await listItems(input({ query: q }))) as {
      items: Json[];
      nextCursor: string | null;
    };
  };
  const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);

  it('lists in creation order, 25 by default, with cursors through every page', async () => {
    const { input, ids: all } = await seeded(30);
    const first = await list(input, {});
    expect(DEFAULT_LIMIT).toBe(25);
    expect(ids(first)).toEqual(all.slice(0, 25));
    expect(first.items[0]).toMatchObject({ name: 'n0', version: 1, createdBy: 'alice' });
    const second = await list(input, { cursor: first.nextCursor! });
    expect(ids(second)).toEqual(all.slice(25));
    expect(second.nextCursor).toBeNull();
    expect(ids(await list(input, { sort: '-id', limit: '3' }))).toEqual(all.slice(-3).reverse());
    expect(ids(await list(input, { limit: String(MAX_LIMIT) }))).toEqual(all);
  });

  it('sorts by the declared field and filters by equality', async () => {
    const { input, store } = await seeded(9);
    const page = await store.items.list({
      caller,
      resource: itemsResource,
      sort: 'id',
      descending: false,
      limit: 50,
    });
    const byPrice = [...page.items].sort(
      (a, b) => (a.data.price as number) - (b.data.price as number) || (a.id < b.id ? -1 : 1),
    );
    expect(ids(await list(input, { sort: 'price' }))).toEqual(byPrice.map((i) => i.id));
    expect(ids(await list(input, { sort: '-price' }))).toEqual(byPrice.map((i) => i.id).reverse());
    const active = byPrice.filter((i) => i.data.status === 'active').map((i) => i.id);
    expect(ids(await list(input, { status: 'active' }))).toEqual(active);
    expect(ids(await list(input, { status: 'active', sort: '-price' }))).toEqual([...active].reverse());
  });

  it('pages through a filtered, sorted list with its own cursors', async () => {
    const { input } = await seeded(12);
    const all = ids(await list(input, { status: 'draft', sort: '-price' }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await list(input, {
        status: 'draft',
        sort: '-price',
        limit: '1',
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all).toHaveLength(4);
  });

  it('refuses a cursor of another query, tenant or secret', async () => {
    const { input } = await seeded(3);
    const { nextCursor } = await list(input, { limit: '1' });
    const bad = { status: 400, message: 'cursor is not valid for this query; start again without a cursor' };
    expect(await failure(listItems(input({ query: { cursor: [nextCursor!], sort: ['-id'] } })))).toEqual(bad);
    expect(
      await failure(
        listItems(input({ query: { cursor: [nextCursor!] } }, { caller: { ...caller, tenant: 'b' } })),
      ),
    ).toEqual(bad);
    expect(
      await failure(
        listItems(
          input({ query: { cursor: [nextCursor!] } }, { settings: { ...settings, cursorSecret: 'x' } }),
        ),
      ),
    ).toEqual(bad);
    const f = await list(input, { status: 'draft', limit: '1' });
    expect(
      await failure(listItems(input({ query: { cursor: [f.nextCursor!], status: ['active'] } }))),
    ).toEqual(bad);
  });

  it('hides expired items but keeps paging after them', async () => {
    const { input } = setup();
    const live = await created(input, { title: 'a', expiresAt: '2031-01-01T00:00:00Z' }, notes);
    await created(input, { title: 'b', expiresAt: '2030-01-01T00:00:01Z' }, notes);
    const later = new Date('2030-06-01T00:00:00Z');
    const r = bodyOf(await listItems(input({ query: { limit: ['2'] } }, { resource: notes, now: later })));
    expect(r.items.map((i: { id: string }) => i.id)).toEqual([live.id]);
    expect(r.nextCursor).not.toBeNull();
  });

  it.each([
    [{ limit: '0' }, '/query/limit', 'must be an integer from 1 to 100'],
    [{ limit: '101' }, '/query/limit', 'must be an integer from 1 to 100'],
    [{ limit: '1.5' }, '/query/limit', 'must be an integer from 1 to 100'],
    [{ limit: ' 5' }, '/query/limit', 'must be an integer from 1 to 100'],
    [{ limit: ['1', '2'] }, '/query/limit', 'must be given once'],
    [{ toString: 'x' }, '/query/toString', 'is not a known parameter (limit, cursor, sort; filters: status)'],
    [{ sort: 'name' }, '/query/sort', 'must be one of id, -id, price, -price'],
    [{ sort: 'id', status: 'active' }, '/query/sort', 'with a filter, sort must be price or -price'],
    [{ sort: '-id', status: 'active' }, '/query/sort', 'with a filter, sort must be price or -price'],
    [{ status: 'gone' }, '/query/status', 'must be one of "draft", "active", "archived"'],
  ])('refuses %j: %s %s', async (query, pointer, message) => {
    const { input } = setup();
    const q = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
    expect(await failure(listItems(input({ query: q })))).toEqual({
      status: 400,
      message: `${pointer}: ${message}`,
      errors: [{ pointer, message }],
    });
  });

  it('reads filter values by the field type: booleans and numbers', async () => {
    const { input } = setup();
    const pinned = await created(input, { title: 'p', pinned: true }, notes);
    await created(input, { title: 'q', pinned: false }, notes);
    const on = (query: Record<string, string[]>, resource: Resource = notes) =>
      listItems(input({ query }, { resource }));
    expect(bodyOf(await on({ pinned: ['true'] })).items.map((i: { id: string }) => i.id)).toEqual([
      pinned.id,
    ]);
    expect(bodyOf(await on({ pinned: ['false'] })).items).toHaveLength(1);
    expect(await failure(on({ pinned: ['yes'] }))).toEqual({
      status: 400,
      message: '/query/pinned: must be true or false',
      errors: [{ pointer: '/query/pinned', message: 'must be true or false' }],
    });
    expect(await failure(on({ pinned: ['true'], sort: ['-id'] }))).toMatchObject({
      status: 400,
      errors: [{ pointer: '/query/sort' }],
    });
    const nums = {
      ...itemsResource,
      filterBy: ['price', 'status'],
      keyTypes: { ...itemsResource.keyTypes, price: 'number' as const },
    };
    await created(input, { name: 'x', price: 3, status: 'active' }, nums);
    expect(bodyOf(await on({ price: ['3'] }, nums)).items).toHaveLength(1);
    expect(bodyOf(await on({ price: ['3.0'] }, nums)).items).toHaveLength(1);
    for (const bad of ['', ' ', 'three', 'Infinity']) {
      expect(await failure(on({ price: [bad] }, nums))).toEqual({
        status: 400,
        message: '/query/price: must be a number',
        errors: [{ pointer: '/query/price', message: 'must be a number' }],
      });
    }
    expect(await failure(on({ price: ['3'], status: ['active'] }, nums))).toEqual({
      status: 400,
      message: '/query/status: only one filter can be applied at a time',
      errors: [{ pointer: '/query/status', message: 'only one filter can be applied at a time' }],
    });
  });

  it('lists by id under a filter when the resource has no sort field, and names no filters when it has none', async () => {
    const { input } = setup();
    const plain = { ...itemsResource, sortBy: undefined, name: 'plain' } as unknown as Resource;
    const a = await created(input, { name: 'a', price: 1, status: 'active' }, plain);
    const b = await created(input, { name: 'b', price: 0, status: 'active' }, plain);
    const r = bodyOf(
      await listItems(input({ query: { status: ['active'], sort: ['-id'] } }, { resource: plain })),
    );
    expect(r.items.map((i: { id: string }) => i.id)).toEqual([b.id, a.id]);
    expect(
      await failure(listItems(input({ query: { sort: ['price'] } }, { resource: plain }))),
    ).toMatchObject({
      message: '/query/sort: must be one of id, -id',
    });
    const bare = { ...plain, filterBy: [] } as unknown as Resource;
    expect(await failure(listItems(input({ query: { status: ['x'] } }, { resource: bare })))).toMatchObject({
      message: '/query/status: is not a known parameter (limit, cursor, sort)',
    });
  });
});

describe('listHistory', () => {
  const entry = (v: number) => ({
    at: `2030-01-01T00:00:0${v}.000Z`,
    operation: v === 1 ? ('create' as const) : ('update' as const),
    principal: 'alice',
    tenant: 'acme',
    versionBefore: v === 1 ? null : v - 1,
    versionAfter: v,
    changes: [{ field: 'price', after: v }],
  });

  it('lists the changes newest first, paginated, and 404s an item without history', async () => {
    const { store, input } = setup();
    const id = '0190b6a2-0000-7000-8000-000000000000';
    for (let v = 1; v <= 3; v++) await store.history.record('acme', 'items', id, entry(v));
    const first = bodyOf(await listHistory(input({ pathId: id, query: { limit: ['2'] } })));
    expect(first.entries).toEqual([entry(3), entry(2)]);
    const rest = bodyOf(await listHistory(input({ pathId: id, query: { cursor: [first.nextCursor] } })));
    expect(rest).toEqual({ entries: [entry(1)], nextCursor: null });
    const end = bodyOf(
      await listHistory(input({ pathId: id, query: { limit: ['1'], cursor: [first.nextCursor] } })),
    );
    const empty = bodyOf(await listHistory(input({ pathId: id, query: { cursor: [end.nextCursor] } })));
    expect(empty).toEqual({ entries: [], nextCursor: null });
    expect(
      await failure(listHistory(input({ pathId: id }, { caller: { tenant: 'b', principal: 'x' } }))),
    ).toEqual({
      status: 404,
      message: `items/${id} has no history`,
    });
    const other = '0190b6a2-0000-7000-8000-000000000001';
    expect(
      await failure(listHistory(input({ pathId: other, query: { cursor: [first.nextCursor] } }))),
    ).toEqual({
      status: 400,
      message: 'cursor is not valid for this query; start again without a cursor',
    });
  });

  it.each([
    [{ sort: ['id'] }, '/query/sort', 'is not a known parameter (limit, cursor)'],
    [{ limit: ['0'] }, '/query/limit', 'must be an integer from 1 to 100'],
    [{ limit: ['101'] }, '/query/limit', 'must be an integer from 1 to 100'],
    [{ limit: ['x1'] }, '/query/limit', 'must be an integer from 1 to 100'],
  ])('refuses %j', async (query, pointer, message) => {
    const { input } = setup();
    expect(
      await failure(listHistory(input({ pathId: '0190b6a2-0000-7000-8000-000000000000', query }))),
    ).toEqual({
      status: 400,
      message: `${pointer}: ${message}`,
      errors: [{ pointer, message }],
    });
  });

  it('takes 100 as a limit', async () => {
    const { store, input } = setup();
    const id = '0190b6a2-0000-7000-8000-000000000000';
    await store.history.record('acme', 'items', id, entry(1));
    expect(bodyOf(await listHistory(input({ pathId: id, query: { limit: ['100'] } }))).entries).toHaveLength(
      1,
    );
  });
});
