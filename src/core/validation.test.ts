import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { items } from '../resources/items';
import { ValidationFailed } from './errors';
import { planOf } from './plan';
import { storableNumber, validate } from './validation';

function errorsOf(body: unknown) {
  try {
    validate(items, body);
  } catch (e) {
    if (e instanceof ValidationFailed) return e.errors;
    throw e;
  }
  return [];
}

describe('validate', () => {
  it('accepts a valid item and drops server-owned fields', () => {
    expect(validate(items, { name: 'a', price: 1, id: 'x', version: 9 })).toEqual({ name: 'a', price: 1 });
  });

  it('names each invalid field by JSON Pointer', () => {
    expect(errorsOf({ name: '', price: -1, tags: ['ok', 3], extra: true })).toEqual([
      { pointer: '/name', message: 'must not be empty' },
      { pointer: '/price', message: 'must be at least 0' },
      { pointer: '/tags/1', message: 'must be a string' },
      { pointer: '/extra', message: 'is not a known field' },
    ]);
  });

  it('says which required fields are missing', () => {
    expect(errorsOf({})).toEqual([
      { pointer: '/name', message: 'is required' },
      { pointer: '/price', message: 'is required' },
    ]);
  });

  it('rejects a body that is not an object', () => {
    for (const b of [null, [], 'x', 1])
      expect(errorsOf(b)).toEqual([{ pointer: '', message: 'the body must be a JSON object' }]);
  });

  it('accepts every item the schema describes and rejects every negative price', () => {
    const item = fc.record(
      {
        name: fc.string({ minLength: 1, maxLength: 200 }),
        price: fc.double({ min: 0, max: 1e12, noNaN: true }).filter(storableNumber),
        status: fc.constantFrom('draft', 'active', 'archived'),
        tags: fc.array(fc.string({ minLength: 1, maxLength: 50 }), { maxLength: 20 }),
      },
      { requiredKeys: ['name', 'price'] },
    );
    fc.assert(
      fc.property(item, (i) => {
        expect(validate(items, i)).toEqual(i);
      }),
    );
    fc.assert(
      fc.property(item, fc.double({ max: -Number.MIN_VALUE, min: -1e300, noNaN: true }), (i, price) => {
        expect(errorsOf({ ...i, price })).toEqual([{ pointer: '/price', message: 'must be at least 0' }]);
      }),
    );
  });

  it('rejects numbers DynamoDB cannot store, naming each by JSON Pointer', () => {
    const range = 'is a number DynamoDB cannot store: it must be 0 or of magnitude 1e-130 to below 1e126';
    for (const price of [1e126, 1e-131, 5e-324, 9.999e200])
      expect(errorsOf({ name: 'a', price })).toEqual([{ pointer: '/price', message: range }]);
    for (const price of [0, 1e-130, 9.99999999999999e125, 2.5])
      expect(validate(items, { name: 'a', price })).toEqual({ name: 'a', price });
    // Reported beside the schema's own errors, never twice for one field.
    expect(errorsOf({ name: '', price: -1e200, extra: 1e-200 })).toEqual([
      { pointer: '/name', message: 'must not be empty' },
      { pointer: '/price', message: 'must be at least 0' },
      { pointer: '/extra', message: 'is not a known field' },
    ]);
  });

  it('answers a deeply nested body with a 400, never a stack overflow', () => {
    const deep = JSON.parse(`${'['.repeat(50_000)}1${']'.repeat(50_000)}`);
    expect(errorsOf({ name: 'a', price: 1, tags: deep })).toEqual([
      { pointer: '/tags/0', message: 'must be a string' },
    ]);
  });

  it('escapes ~ and / in pointers (RFC 6901)', () => {
    expect(errorsOf({ name: 'a', price: 1, 'a/b~c': 1 })).toEqual([
      { pointer: '/a~1b~0c', message: 'is not a known field' },
    ]);
  });
});

describe('validate with a plan and with the schema alone', () => {
  const schemaOnly = { schema: items.schema };
  const errors = (r: Parameters<typeof validate>[0], body: unknown) => {
    try {
      return validate(r, body);
    } catch (e) {
      if (e instanceof ValidationFailed) return e.errors;
      throw e;
    }
  };

  it('gives the same result and the same errors', () => {
    expect(items.plan).toBeDefined();
    for (const body of [
      { name: 'a', price: 1, tags: ['x'], status: 'active' },
      { name: '', price: -1, tags: ['ok', 3], extra: true },
      {},
      { name: 'x'.repeat(201), price: 1, tags: Array.from({ length: 21 }, () => 'x') },
      { name: 'a', price: 1, status: 'gone', description: 5 },
    ])
      expect(errors(items, body)).toEqual(errors(schemaOnly, body));
  });

  it('rejects unstorable numbers at any depth on either path', () => {
    const free = z.strictObject({ name: z.string(), extra: z.optional(z.record(z.string(), z.unknown())) });
    const body = { name: 'a', extra: { deep: [1, { x: 1e-131 }], ok: 1e125 } };
    const range = 'is a number DynamoDB cannot store: it must be 0 or of magnitude 1e-130 to below 1e126';
    expect(errors({ schema: free }, body)).toEqual([{ pointer: '/extra/deep/1/x', message: range }]);
    expect(errors(items, { name: 'a', price: 1e126 })).toEqual(
      errors(schemaOnly, { name: 'a', price: 1e126 }),
    );
  });

  it('rejects values nested deeper than DynamoDB stores, on the schema-only path', () => {
    const free = z.strictObject({ name: z.string(), extra: z.optional(z.unknown()) });
    const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)]);
    expect(errors({ schema: free }, { name: 'a', extra: nest(30) })).toEqual({ name: 'a', extra: nest(30) });
    const e = errors({ schema: free }, { name: 'a', extra: nest(40) }) as {
      pointer: string;
      message: string;
    }[];
    expect(e).toEqual([
      { pointer: `/extra${'/0'.repeat(31)}`, message: 'is nested deeper than the 32 levels DynamoDB stores' },
    ]);
  });

  it('answers a body that makes zod throw with a client error on either path', () => {
    const body = JSON.parse('{"name":{"length":{"toString":""}},"price":1}');
    expect(errors(items, body)).toEqual([{ pointer: '/name', message: 'must be a string' }]);
    expect(errors(schemaOnly, body)).toEqual([
      { pointer: '', message: 'the body does not match the resource' },
    ]);
  });
});

describe('validate: fields named like Object.prototype members', () => {
  const schema = z.strictObject({ toString: z.string(), constructor: z.optional(z.string()) });
  const withPlan = { plan: planOf(schema) };
  const schemaOnly = { schema };
  const outcome = (r: Parameters<typeof validate>[0], body: unknown) => {
    try {
      return validate(r, body);
    } catch (e) {
      if (e instanceof ValidationFailed) return e.errors;
      throw e;
    }
  };

  it.each([
    ['a plan', withPlan],
    ['the schema alone', schemaOnly],
  ])('are absent unless the body has them, with %s', (_, r) => {
    expect(outcome(r, JSON.parse('{}'))).toEqual([{ pointer: '/toString', message: 'is required' }]);
    expect(outcome(r, JSON.parse('{"toString":"a"}'))).toEqual({ toString: 'a' });
    expect(outcome(r, JSON.parse('{"toString":"a","constructor":"b"}'))).toEqual({
      toString: 'a',
      constructor: 'b',
    });
    expect(outcome(r, JSON.parse('{"toString":1,"__proto__":1}'))).toEqual([
      { pointer: '/toString', message: 'must be a string' },
      { pointer: '/__proto__', message: 'is not a known field' },
    ]);
  });
});
