/** The storage contract on the in-memory adapter, plus what only it offers (copies, an injectable clock). */
import { describe, expect, it } from 'vitest';
import { items } from '../resources/items';
import { itemRepoContract } from './item-repo.contract';
import { memoryStore } from './memory-store';

itemRepoContract('in memory', () => memoryStore());

describe('the in-memory store', () => {
  const caller = { tenant: 'acme', principal: 'alice' };
  const item = {
    id: '0190b6a2-0000-7000-8000-000000000000',
    data: { name: 'pen', price: 2, tags: ['a'] },
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    version: 1,
    createdBy: 'alice',
    updatedBy: 'alice',
  };

  it('keeps copies: changing what was written or read changes nothing stored', async () => {
    const store = memoryStore();
    const written = structuredClone(item);
    await store.items.create(caller, items, written);
    written.data.tags.push('b');
    const read = await store.items.get(caller, items, item.id);
    (read!.data.tags as string[]).push('c');
    expect((await store.items.get(caller, items, item.id))?.data).toEqual(item.data);
  });

  it('expires idempotency keys by its clock', async () => {
    let now = 999_999_000; // a second before expiresAt: held; at expiresAt the domain judges it expired
    const store = memoryStore(() => now);
    const record = {
      key: 'k',
      fingerprint: 'f',
      itemId: item.id,
      body: '{}',
      version: 1,
      expiresAt: 1_000_000,
    };
    await store.items.create(caller, items, item, record);
    const again = { ...item, id: '0190b6a2-0000-7000-8000-000000000001' };
    await expect(store.items.create(caller, items, again, record)).rejects.toThrow('k');
    now = 1_000_000_000;
    await store.items.create(caller, items, again, { ...record, itemId: again.id });
    expect((await store.items.getIdempotency(caller, 'k'))?.itemId).toBe(again.id);
  });
});
