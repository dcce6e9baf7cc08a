/**
 * PUT, PATCH and DELETE on the in-memory store: engine-free, no environment, no patching. (The retry loop
 * against a repository that always loses is in `writes.test.ts`.)
 */
import { describe, expect, it } from 'vitest';
import { items as itemsResource } from '../resources/items';
import { notes } from '../resources/notes';
import { memoryStore } from '../store/memory-store';
import { AppError } from './errors';
import type { HttpReply, HttpRequest } from './http';
import { createItem, type OperationInput } from './items';
import { type ItemRepo, WriteContention } from './ports';
import type { Resource } from './resource';
import { deleteItem, patchItem, replaceItem } from './writes';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const LATER = new Date('2030-01-02T00:00:00.000Z');
const alice = { tenant: 'acme', principal: 'alice' };
const bob = { tenant: 'acme', principal: 'bob' };
const settings = { maxBodyBytes: 200, cursorSecret: 's', writeRetryBudgetMs: 50 };
const JSON_CT = { 'content-type': 'application/json' };

interface Req {
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

function setup(resource: Resource = itemsResource) {
  const store = memoryStore();
  const input = (id: string, req: Req = {}, over: Partial<OperationInput> = {}): OperationInput => {
    const body = req.body ?? (req.json === undefined ? undefined : JSON.stringify(req.json));
    const request: HttpRequest = {
      headers: { ...(body === undefined ? {} : JSON_CT), ...req.headers },
      query: {},
      body,
      pathId: id,
    };
    return {
      repo: store.items,
      history: store.history,
      caller: bob,
      resource,
      settings,
      now: LATER,
      request,
      ...over,
    };
  };
  const create = async (json: unknown) => {
    const r = await createItem({ ...input('', { json }), caller: alice, now: NOW });
    return (r.body as { id: string }).id;
  };
  const stored = (id: string) => store.items.get(alice, resource, id);
  return { store, input, create, stored };
}

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return { status: e.status, message: e.message, ...(e.errors ? { errors: e.errors } : {}) };
}

const MISSING = '0190b6a2-0000-7000-8000-000000000000';
const tag = (r: HttpReply) => r.headers?.etag;

describe('replaceItem', () => {
  it('replaces every client field, bumps the version, records who and when', async () => {
    const { input, create, stored } = setup();
    const id = await create({ name: 'a', price: 1, status: 'draft' });
    const r = await replaceItem(input(id, { json: { name: 'b', price: 2, id: 'ignored' } }));
    expect(r.status).toBe(200);
    expect(tag(r)).toBe('"2"');
    expect(r.body).toEqual({
      id,
      name: 'b',
      price: 2,
      createdAt: NOW.toISOString(),
      updatedAt: LATER.toISOString(),
      version: 2,
      createdBy: 'alice',
      updatedBy: 'bob',
    });
    expect((await stored(id))?.data).toEqual({ name: 'b', price: 2 });
  });

  it('never creates: 404; validates first: 400, 413, 415', async () => {
    const { input, create } = setup();
    expect(await failure(replaceItem(input(MISSING, { json: { name: 'b', price: 2 } })))).toEqual({
      status: 404,
      message: `items/${MISSING} does not exist`,
    });
    const id = await create({ name: 'a', price: 1 });
    expect(await failure(replaceItem(input(id, { json: { name: 'b' } })))).toEqual({
      status: 400,
      message: '/price: is required',
      errors: [{ pointer: '/price', message: 'is required' }],
    });
    expect(await failure(replaceItem(input(id, { json: { name: 'b'.repeat(300), price: 1 } })))).toEqual({
      status: 413,
      message: 'the body is larger than 200 bytes',
    });
    const merge = { 'content-type': 'application/merge-patch+json' };
    expect(await failure(replaceItem(input(id, { json: { name: 'b', price: 1 }, headers: merge })))).toEqual({
      status: 415,
      message: 'Content-Type must be application/json, not application/merge-patch+json',
    });
    expect(await failure(replaceItem(input('x', { json: { name: 'b', price: 1 } })))).toMatchObject({
      status: 400,
    });
  });

  it('honours If-Match (strong, any listed version, *) and If-None-Match', async () => {
    const { input, create } = setup();
    const id = await create({ name: 'a', price: 1 });
    const put = (headers: Record<string, string>) =>
      replaceItem(input(id, { json: { name: 'b', price: 1 }, headers }));
    expect(await failure(put({ 'if-match': '"2"' }))).toEqual({
      status: 412,
      message: 'If-Match does not match the current ETag "1"',
    });
    expect(await failure(put({ 'if-match': 'W/"1"' }))).toEqual({
      status: 412,
      message: 'If-Match does not match the current ETag "1"',
    });
    expect(tag(await put({ 'if-match': '"9", "1"' }))).toBe('"2"');
    expect(tag(await put({ 'if-match': '*' }))).toBe('"3"');
    expect(await failure(put({ 'if-none-match': '*' }))).toEqual({
      status: 412,
      message: 'If-None-Match matches the current ETag "3"',
    });
    expect(await failure(put({ 'if-none-match': 'W/"3"' }))).toMatchObject({ status: 412 });
    expect(tag(await put({ 'if-none-match': '"2"' }))).toBe('"4"');
    expect(await failure(put({ 'if-match': '"4"', 'if-none-match': '"4"' }))).toEqual({
      status: 412,
      message: 'If-None-Match matches the current ETag "4"',
    });
    expect(await failure(put({ 'if-match': '"3"', 'if-none-match': '"4"' }))).toEqual({
      status: 412,
      message: 'If-Match does not match the current ETag "4"',
    });
    expect(
      await failure(
        replaceItem(input(MISSING, { json: { name: 'b', price: 1 }, headers: { 'if-none-match': '"1"' } })),
      ),
    ).toMatchObject({
      status: 404,
    });
  });

  it('hides an expired item from a conditional write as from a read', async () => {
    const { input, create } = setup(notes);
    const id = await create({ title: 'a', expiresAt: '2030-01-01T12:00:00Z' });
    expect(await failure(patchItem(input(id, { json: { title: 'b' } })))).toEqual({
      status: 404,
      message: `notes/${id} does not exist`,
    });
  });
});

describe('patchItem', () => {
  const merge = { 'content-type': 'application/merge-patch+json' };

  it('merges (RFC 7396), validates the result, and keeps the rest', async () => {
    const { input, create, stored } = setup();
    const id = await create({ name: 'a', price: 1, description: 'd', tags: ['x'] });
    const r = await patchItem(
      input(id, { json: { price: 3, description: null, version: 99 }, headers: merge }),
    );
    expect(r.status).toBe(200);
    expect(tag(r)).toBe('"2"');
    expect(r.body).toMatchObject({ name: 'a', price: 3, tags: ['x'], version: 2, updatedBy: 'bob' });
    expect((await stored(id))?.data).toEqual({ name: 'a', price: 3, tags: ['x'] });
    expect(tag(await patchItem(input(id, { json: { name: 'z' } })))).toBe('"3"');
  });

  it('refuses what is not a merge patch object, or a result the schema refuses', async () => {
    const { input, create } = setup();
    const id = await create({ name: 'a', price: 1 });
    const notObject = {
      status: 400,
      message: '/: a merge patch must be a JSON object',
      errors: [{ pointer: '', message: 'a merge patch must be a JSON object' }],
    };
    for (const json of [[1], null, 'x', 3])
      expect(await failure(patchItem(input(id, { json })))).toEqual(notObject);
    expect(await failure(patchItem(input(id, { json: { price: -1 } })))).toEqual({
      status: 400,
      message: '/price: must be at least 0',
      errors: [{ pointer: '/price', message: 'must be at least 0' }],
    });
    expect(await failure(patchItem(input(id, { json: { name: null } })))).toMatchObject({
      status: 400,
      errors: [{ pointer: '/name', message: 'is required' }],
    });
    expect(
      await failure(patchItem(input(id, { json: { a: 1 }, headers: { 'content-type': 'text/json' } }))),
    ).toEqual({
      status: 415,
      message: 'Content-Type must be application/merge-patch+json or application/json, not text/json',
    });
    expect(await failure(patchItem(input(MISSING, { json: { price: 2 } })))).toEqual({
      status: 404,
      message: `items/${MISSING} does not exist`,
    });
  });

  it('refuses a patch nested deeper than DynamoDB stores before merging it', async () => {
    const { input, create } = setup();
    const id = await create({ name: 'a', price: 1 });
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const r = await failure(
      patchItem({
        ...input(id, { json: { description: deep } }),
        settings: { ...settings, maxBodyBytes: 10_000 },
      }),
    );
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.pointer).toMatch(/^\/description(\/d)+$/);
  });

  it('honours If-Match and If-None-Match on the item it read', async () => {
    const { input, create } = setup();
    const id = await create({ name: 'a', price: 1 });
    const patch = (headers: Record<string, string>) => patchItem(input(id, { json: { price: 2 }, headers }));
    expect(await failure(patch({ 'if-match': '"2"' }))).toEqual({
      status: 412,
      message: 'If-Match does not match the current ETag "1"',
    });
    expect(tag(await patch({ 'if-match': '"1"' }))).toBe('"2"');
    expect(await failure(patch({ 'if-none-match': '"2"' }))).toEqual({
      status: 412,
      message: 'If-None-Match matches the current ETag "2"',
    });
  });
});

describe('deleteItem', () => {
  it('answers 204 and records who deleted it; a second delete is 404', async () => {
    const { store, input, create, stored } = setup();
    const id = await create({ name: 'a', price: 1 });
    expect(await deleteItem(input(id))).toEqual({ status: 204 });
    expect(await stored(id)).toBeUndefined();
    expect(await store.history.deletionOf('acme', 'items', id)).toEqual({
      principal: 'bob',
      at: LATER.toISOString(),
    });
    expect(await failure(deleteItem(input(id)))).toEqual({
      status: 404,
      message: `items/${id} does not exist`,
    });
  });

  it('honours If-Match (a version no item has is 412) and If-None-Match', async () => {
    const { input, create, stored } = setup();
    const id = await create({ name: 'a', price: 1 });
    const del = (headers: Record<string, string>) => deleteItem(input(id, { headers }));
    for (const im of ['"2"', 'W/"1"', '"x"', '"01"']) {
      expect(await failure(del({ 'if-match': im }))).toEqual({
        status: 412,
        message: 'If-Match does not match the current ETag "1"',
      });
    }
    expect(await failure(del({ 'if-none-match': '*' }))).toEqual({
      status: 412,
      message: 'If-None-Match matches the current ETag "1"',
    });
    expect(await stored(id)).toBeDefined();
    expect((await del({ 'if-none-match': '"7"', 'if-match': '"1"' })).status).toBe(204);
    const other = await create({ name: 'b', price: 1 });
    expect((await deleteItem(input(other, { headers: { 'if-match': '*' } }))).status).toBe(204);
    expect(await failure(deleteItem(input(other, { headers: { 'if-match': '*' } })))).toMatchObject({
      status: 404,
    });
    expect(await failure(deleteItem(input(MISSING, { headers: { 'if-none-match': '"1"' } })))).toMatchObject({
      status: 404,
    });
  });

  it('passes on an error that is not a lost race, unchanged', async () => {
    const { store, input, create } = setup();
    const id = await create({ name: 'a', price: 1 });
    const boom = new Error('engine down');
    const broken = { ...store.items, delete: async () => Promise.reject(boom) } as unknown as ItemRepo;
    await expect(deleteItem(input(id, {}, { repo: broken }))).rejects.toBe(boom);
    let calls = 0;
    const busy = {
      delete: async () => {
        calls++;
        throw new WriteContention('transaction conflict');
      },
    } as unknown as ItemRepo;
    const e = await failure(deleteItem(input(id, {}, { repo: busy })));
    expect(e).toEqual({
      status: 503,
      message:
        'other requests kept changing this item while this one was applied; nothing was written: send it again',
    });
    expect(calls).toBeGreaterThan(1);
  });
});
