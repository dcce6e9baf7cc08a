import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { items } from '../resources/items';
import { ValidationFailed } from './errors';
import { validate } from './validation';

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
        price: fc.double({ min: 0, max: 1e12, noNaN: true }),
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

  it('answers a body that makes zod throw with a client error on either path', () => {
    const body = JSON.parse('{"name":{"length":{"toString":""}},"price":1}');
    expect(errors(items, body)).toEqual([{ pointer: '/name', message: 'must be a string' }]);
    expect(errors(schemaOnly, body)).toEqual([
      { pointer: '', message: 'the body does not match the resource' },
    ]);
  });
});
