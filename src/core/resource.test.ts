import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { defineResource, shapeOf } from './resource';

const schema = z.strictObject({
  name: z.string(),
  price: z.number(),
  live: z.optional(z.boolean()),
  status: z.optional(z.enum(['a', 'b'])),
  kind: z.literal('k'),
  level: z.optional(z.nullable(z.literal(3))),
  tags: z.optional(z.array(z.string())),
  meta: z.optional(z.object({ x: z.string() })),
  at: z.optional(z.string()),
  none: z.optional(z.literal(['a', null])),
});

describe('defineResource', () => {
  it('derives the key types, the fields, the enum values and a plan', () => {
    const r = defineResource({
      name: 'w-1',
      schema,
      filterBy: ['live', 'status', 'kind', 'level', 'name'],
      sortBy: 'price',
      ttl: 'at',
    });
    expect(r.filterBy).toEqual(['live', 'status', 'kind', 'level', 'name']);
    expect(r.keyTypes).toEqual({
      live: 'boolean',
      status: 'string',
      kind: 'string',
      level: 'string',
      name: 'string',
      price: 'number',
    });
    expect(r.fields).toEqual([
      'name',
      'price',
      'live',
      'status',
      'kind',
      'level',
      'tags',
      'meta',
      'at',
      'none',
    ]);
    expect(r.filterValues).toEqual({ status: ['a', 'b'], kind: ['k'], level: [3] });
    expect(r.plan).toBeDefined();
    expect(r.name).toBe('w-1');
    expect(r.ttl).toBe('at');
    const bare = defineResource({ name: 'b', schema });
    expect(bare.filterBy).toEqual([]);
    expect(bare.keyTypes).toEqual({});
    expect(bare).not.toHaveProperty('filterValues');
    // A literal that is not a string, number or boolean names no values a query string could carry.
    const nil = defineResource({ name: 'n', schema, filterBy: ['none', 'status'] });
    expect(nil.filterValues).toEqual({ status: ['a', 'b'] });
    expect(Object.keys(nil.filterValues ?? {})).toEqual(['status']);
  });

  it.each([
    ['', 'resource name "" must match /^[a-z][a-z0-9-]{0,39}$/'],
    ['Items', 'resource name "Items" must match /^[a-z][a-z0-9-]{0,39}$/'],
    ['1x', 'resource name "1x" must match /^[a-z][a-z0-9-]{0,39}$/'],
    ['x'.repeat(41), `resource name "${'x'.repeat(41)}" must match /^[a-z][a-z0-9-]{0,39}$/`],
    ['a_b', 'resource name "a_b" must match /^[a-z][a-z0-9-]{0,39}$/'],
  ])('refuses the name %j', (name, message) => {
    expect(() => defineResource({ name, schema })).toThrow(new Error(message));
  });

  it('takes a name of 40 characters', () => {
    expect(defineResource({ name: `a${'-9'.repeat(19)}b`, schema }).name).toHaveLength(40);
  });

  it.each(['id', 'version', 'createdBy', 'updatedAt', '_secret'])('refuses the reserved field %s', (f) => {
    const s = z.strictObject({ [f]: z.string(), ok: z.string() });
    expect(() => defineResource({ name: 'w', schema: s })).toThrow(
      new Error(`resource w: field "${f}" is reserved for the server`),
    );
  });

  it('refuses filter, sort and ttl fields it cannot use', () => {
    const def = (d: object) => () => defineResource({ name: 'w', schema, ...d } as never);
    expect(def({ filterBy: ['nope'] })).toThrow(new Error('resource w: "nope" is not a field of its schema'));
    expect(def({ sortBy: 'toString' })).toThrow(
      new Error('resource w: "toString" is not a field of its schema'),
    );
    expect(def({ filterBy: ['tags'] })).toThrow(
      new Error('resource w: "tags" is a array; filter and sort fields must be string, number or boolean'),
    );
    expect(def({ sortBy: 'meta' })).toThrow(
      new Error('resource w: "meta" is a object; filter and sort fields must be string, number or boolean'),
    );
    expect(def({ ttl: 'gone' })).toThrow(new Error('resource w: ttl field "gone" is not in its schema'));
    // Names are data: Object.prototype's members are not fields.
    expect(def({ ttl: 'constructor' })).toThrow(
      new Error('resource w: ttl field "constructor" is not in its schema'),
    );
    expect(def({ filterBy: ['hasOwnProperty'] })).toThrow(
      new Error('resource w: "hasOwnProperty" is not a field of its schema'),
    );
  });
});

describe('shapeOf', () => {
  it('keeps what storage and reads need, as plain JSON', () => {
    const r = defineResource({ name: 'w', schema, filterBy: ['status'], sortBy: 'price', ttl: 'at' });
    const shape = shapeOf(r);
    expect(shape).toEqual({
      name: 'w',
      filterBy: ['status'],
      sortBy: 'price',
      ttl: 'at',
      keyTypes: { status: 'string', price: 'number' },
      fields: r.fields,
      filterValues: { status: ['a', 'b'] },
      plan: r.plan,
    });
    expect(shape).not.toHaveProperty('schema');
    expect(JSON.parse(JSON.stringify(shape))).toEqual(shape);
    expect(
      Object.keys(shapeOf(defineResource({ name: 'v', schema: z.strictObject({ a: z.string() }) }))),
    ).toEqual(['name', 'filterBy', 'keyTypes', 'fields', 'plan']);
  });
});

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
