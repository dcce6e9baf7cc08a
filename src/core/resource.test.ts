import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { defineResource } from './resource';

describe('defineResource: names like Object.prototype members', () => {
  const schema = z.strictObject({ name: z.string() });

  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty'])(
    'refuses %s as a filter, sort or ttl field the schema lacks, naming it',
    (f) => {
      expect(() => defineResource({ name: 'things', schema, filterBy: [f as 'name'] })).toThrow(
        `resource things: "${f}" is not a field of its schema`,
      );
      expect(() => defineResource({ name: 'things', schema, sortBy: f as 'name' })).toThrow(
        `resource things: "${f}" is not a field of its schema`,
      );
      expect(() => defineResource({ name: 'things', schema, ttl: f as 'name' })).toThrow(
        `resource things: ttl field "${f}" is not in its schema`,
      );
    },
  );

  it('takes declared fields of those names like any other', () => {
    const r = defineResource({
      name: 'things',
      schema: z.strictObject({ toString: z.enum(['a', 'b']), valueOf: z.number() }),
      filterBy: ['toString'],
      sortBy: 'valueOf',
    });
    expect(Object.entries(r.keyTypes)).toEqual([
      ['toString', 'string'],
      ['valueOf', 'number'],
    ]);
    expect(r.filterValues).toEqual({ toString: ['a', 'b'] });
  });
});

describe('listItems: a filter field named like an Object.prototype member', () => {
  it('takes any value for a non-enum valueOf beside an enum field (it threw a TypeError: a 500)', async () => {
    const { listItems } = await import('./items');
    const resource = defineResource({
      name: 'things',
      schema: z.strictObject({ status: z.enum(['a', 'b']), valueOf: z.string() }),
      filterBy: ['status', 'valueOf'],
    });
    const seen: unknown[] = [];
    const repo = {
      list: async (q: unknown) => {
        seen.push(q);
        return { items: [], positions: [] };
      },
    };
    const reply = await listItems({
      repo: repo as never,
      history: {} as never,
      caller: { tenant: 't', principal: 'p' },
      resource,
      request: { headers: {}, query: { valueOf: ['x'] }, body: undefined },
      settings: { maxBodyBytes: 1000, cursorSecret: 's'.repeat(32) },
      now: new Date(0),
    });
    expect(reply.status).toBe(200);
    expect(seen).toMatchObject([{ filter: { field: 'valueOf', value: 'x' } }]);
  });
});
