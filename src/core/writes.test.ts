/** The retry logic of writes against a repository that always loses the race (a unit test of pure logic). */
import { describe, expect, it } from 'vitest';
import { items } from '../resources/items';
import { Contended } from './errors';
import type { OperationInput } from './items';
import { type ItemRepo, type StoredItem, VersionMismatch, WriteContention } from './ports';
import { deleteItem, patchItem, replaceItem } from './writes';

const ID = '0190b6a2-0000-7000-8000-000000000000';
const stored = (version: number): StoredItem => ({
  id: ID,
  data: { name: 'a', price: 1 },
  createdAt: '2030-01-01T00:00:00Z',
  updatedAt: '2030-01-01T00:00:00Z',
  version,
  createdBy: 'u',
  updatedBy: 'u',
});

/** A repository on which another client wins every write: the version moves on before each of ours lands. */
function losingRepo() {
  let version = 1;
  const calls = { get: 0, write: 0 };
  const repo = {
    get: async () => {
      calls.get++;
      return stored(version);
    },
    replace: async () => {
      calls.write++;
      version++;
      throw new VersionMismatch(stored(version));
    },
    delete: async () => {
      calls.write++;
      throw new WriteContention('transaction conflict');
    },
  } as unknown as ItemRepo;
  return { repo, calls };
}

function input(repo: ItemRepo, body?: unknown): OperationInput {
  return {
    repo,
    history: undefined as never,
    caller: { tenant: 'acme', principal: 'u' },
    resource: items,
    request: {
      headers: { 'content-type': 'application/json' },
      query: {},
      body: body === undefined ? undefined : JSON.stringify(body),
      pathId: ID,
      path: `/items/${ID}`,
    },
    settings: { maxBodyBytes: 1000, cursorSecret: 's', writeRetryBudgetMs: 60 },
    now: new Date('2030-01-01T00:00:00Z'),
  };
}

describe('writes that keep losing the race for their item', () => {
  it('PATCH re-reads and retries, then answers 503 contended with Retry-After', async () => {
    const { repo, calls } = losingRepo();
    const err = await patchItem(input(repo, { price: 2 })).catch((e) => e);
    expect(err).toBeInstanceOf(Contended);
    expect(err.status).toBe(503);
    expect(err.headers).toEqual({ 'retry-after': '1' });
    expect(calls.write).toBeGreaterThan(1);
    expect(calls.get).toBe(calls.write);
  });

  it('DELETE retries a cancelled transaction, then answers 503 contended', async () => {
    const { repo, calls } = losingRepo();
    await expect(deleteItem(input(repo))).rejects.toBeInstanceOf(Contended);
    expect(calls.write).toBeGreaterThan(1);
  });

  it('PUT with If-Match does not retry a version mismatch: that is its precondition failing', async () => {
    const { repo, calls } = losingRepo();
    const i = input(repo, { name: 'b', price: 2 });
    const withIfMatch = {
      ...i,
      request: { ...i.request, headers: { ...i.request.headers, 'if-match': '"1"' } },
    };
    await expect(replaceItem(withIfMatch)).rejects.toMatchObject({ status: 412 });
    expect(calls.write).toBe(1);
  });
});
