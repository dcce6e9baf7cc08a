/** Edges of the operations that the main suites leave open, found by reading surviving mutants. */
import { describe, expect, it } from 'vitest';
import { items as itemsResource } from '../resources/items';
import { notes } from '../resources/notes';
import { memoryStore } from '../store/memory-store';
import { AppError } from './errors';
import { parseTagCondition } from './etag';
import { isId, uuidv7 } from './ids';
import { createItem, listHistory, listItems, type OperationInput } from './items';
import { mergePatch } from './merge-patch';
import { IdempotencyKeyTaken, type ItemRepo } from './ports';
import type { Resource } from './resource';
import { replaceItem } from './writes';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const caller = { tenant: 'acme', principal: 'alice' };
const JSON_CT = { 'content-type': 'application/json' };

function input(
  request: Partial<OperationInput['request']>,
  over: Partial<OperationInput> = {},
): OperationInput {
  const store = memoryStore();
  return {
    repo: store.items,
    history: store.history,
    caller,
    resource: itemsResource,
    settings: { maxBodyBytes: 1000, cursorSecret: 's' },
    now: NOW,
    request: { headers: {}, query: {}, body: undefined, ...request },
    ...over,
  };
}

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) return e;
  return { status: e.status, message: e.message, ...(e.errors ? { errors: e.errors } : {}) };
}

describe('create edges', () => {
  const body = JSON.stringify({ name: 'a', price: 1 });
  const keyed = { headers: { ...JSON_CT, 'idempotency-key': 'k' }, body };

  it('passes on an error other than a lost race at once, unretried', async () => {
    let calls = 0;
    const boom = new Error('engine');
    const repo = {
      create: async () => {
        calls++;
        throw boom;
      },
    } as unknown as ItemRepo;
    expect(await failure(createItem(input(keyed, { repo })))).toBe(boom);
    expect(calls).toBe(1);
  });

  it('retries when the key holder vanished between the write and the read, then passes the loss on', async () => {
    let calls = 0;
    const repo = {
      create: async () => {
        calls++;
        throw new IdempotencyKeyTaken('k');
      },
      getIdempotency: async () => undefined,
    } as unknown as ItemRepo;
    expect(await failure(createItem(input(keyed, { repo })))).toBeInstanceOf(IdempotencyKeyTaken);
    expect(calls).toBe(6);
  });

  it('keeps inner double slashes of the path and drops every trailing one', async () => {
    const at = async (path: string) => {
      const r = await createItem(input({ headers: JSON_CT, body, path }));
      return r.headers!.location!.replace((r.body as { id: string }).id, 'ID');
    };
    expect(await at('/v1//items//')).toBe('/v1//items/ID');
    expect(await at('v1//items')).toBe('v1//items/ID');
  });
});

describe('list edges', () => {
  it('filters on false as well as true, and on a string field without declared values', async () => {
    const store = memoryStore();
    const run = (resource: Resource, query: Record<string, string[]>) =>
      listItems(input({ query }, { repo: store.items, resource }));
    const make = (resource: Resource, json: unknown) =>
      createItem(input({ headers: JSON_CT, body: JSON.stringify(json) }, { repo: store.items, resource }));
    const off = (await make(notes, { title: 'q', pinned: false })).body as { id: string };
    await make(notes, { title: 'p', pinned: true });
    const page = JSON.parse((await run(notes, { pinned: ['false'] })).json!);
    expect(page.items.map((i: { id: string }) => i.id)).toEqual([off.id]);
    const byName = { ...itemsResource, filterBy: ['name'], filterValues: undefined } as unknown as Resource;
    await make(byName, { name: 'x', price: 1 });
    expect(JSON.parse((await run(byName, { name: ['x'] })).json!).items).toHaveLength(1);
    expect(JSON.parse((await run(byName, { name: ['y'] })).json!).items).toHaveLength(0);
  });

  it('refuses a history limit that only starts with digits', async () => {
    const pathId = uuidv7();
    for (const limit of ['5x', '1.5', '1e1']) {
      expect(await failure(listHistory(input({ pathId, query: { limit: [limit] } })))).toMatchObject({
        status: 400,
        errors: [{ pointer: '/query/limit', message: 'must be an integer from 1 to 100' }],
      });
    }
  });
});

describe('write edges', () => {
  it('names the conditional header a write could not parse', async () => {
    const put = (headers: Record<string, string>) =>
      replaceItem(
        input({ headers: { ...JSON_CT, ...headers }, body: '{"name":"a","price":1}', pathId: uuidv7() }),
      );
    expect(await failure(put({ 'if-match': '1' }))).toMatchObject({
      errors: [{ pointer: '/headers/if-match' }],
    });
    expect(await failure(put({ 'if-none-match': '1' }))).toMatchObject({
      errors: [{ pointer: '/headers/if-none-match' }],
    });
  });
});

describe('small pieces', () => {
  it('a merged object is an ordinary one: its members can be changed and removed', () => {
    const out = mergePatch({ a: 1 }, { b: { c: 2 } }) as Record<string, unknown>;
    out.b = 3;
    delete out.a;
    expect(out).toEqual({ b: 3 });
  });

  it('every id is well formed, whatever its random bytes', () => {
    for (let i = 0; i < 300; i++) expect(isId(uuidv7())).toBe(true);
  });

  it('parses a list with a trailing comma and whitespace', () => {
    expect(parseTagCondition('"1", \t', 'If-Match')).toEqual({
      any: false,
      tags: [{ weak: false, opaque: '"1"' }],
    });
  });
});
