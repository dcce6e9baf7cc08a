/** Each message a client reads for an invalid field, on the plan path and on the zod-only path alike. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ValidationFailed } from './errors';
import { planOf } from './plan';
import { storableNumber, unstorableFields, validate } from './validation';

const fields = {
  s3: z.optional(z.string().check(z.minLength(3), z.maxLength(5))),
  s1: z.optional(z.string().check(z.minLength(1))),
  list: z.optional(z.array(z.string()).check(z.minLength(2), z.maxLength(3))),
  gt: z.optional(z.number().check(z.gt(1))),
  lt: z.optional(z.number().check(z.lt(10))),
  lte: z.optional(z.number().check(z.lte(10))),
  pick: z.optional(z.enum(['x', 'y'])),
  when: z.optional(z.iso.datetime()),
  obj: z.optional(z.object({ a: z.string() })),
  arr: z.optional(z.array(z.number())),
};
const schema = z.strictObject(fields);
const plan = planOf(schema);
/** A free-form member makes a schema the plan does not reproduce: validated by zod only. */
const free = z.strictObject({ ...fields, free: z.optional(z.record(z.string(), z.unknown())) });

const errorsOf = (resource: Parameters<typeof validate>[0], body: unknown) => {
  try {
    validate(resource, body);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailed);
    return (e as ValidationFailed).errors ?? [];
  }
  return [];
};

describe.each([
  ['zod', { schema }],
  ['plan', { plan }],
])('validation messages (%s)', (_, resource) => {
  it.each([
    [{ s3: 'ab' }, '/s3', 'must be at least 3 characters'],
    [{ s3: 'abcdef' }, '/s3', 'must be at most 5 characters'],
    [{ s1: '' }, '/s1', 'must not be empty'],
    [{ list: ['a'] }, '/list', 'must have at least 2 entries'],
    [{ list: ['a', 'b', 'c', 'd'] }, '/list', 'must have at most 3 entries'],
    [{ gt: 1 }, '/gt', 'must be greater than 1'],
    [{ lt: 10 }, '/lt', 'must be less than 10'],
    [{ lte: 10.5 }, '/lte', 'must be at most 10'],
    [{ pick: 'z' }, '/pick', 'must be one of "x", "y"'],
    [{ when: 'tomorrow' }, '/when', 'must be an ISO 8601 date-time such as 2030-01-01T00:00:00Z'],
    [{ obj: 3 }, '/obj', 'must be an object'],
    [{ arr: {} }, '/arr', 'must be an array'],
    [{ obj: {} }, '/obj/a', 'is required'],
    [{ s1: 3 }, '/s1', 'must be a string'],
  ])('%j: %s %s', (body, pointer, message) => {
    expect(errorsOf(resource, body)).toEqual([{ pointer, message }]);
  });

  it('accepts values at the bounds', () => {
    expect(
      validate(resource, {
        s3: 'abc',
        list: ['a', 'b', 'c'],
        gt: 1.0001,
        lt: 9.99,
        lte: 10,
        when: '2030-01-01T00:00:00Z',
      }),
    ).toMatchObject({ s3: 'abc', lte: 10 });
  });

  it('reports an unstorable number once a field passed the schema, and not inside a field it rejected', () => {
    expect(errorsOf(resource, { s1: 1e200 })).toEqual([{ pointer: '/s1', message: 'must be a string' }]);
    expect(errorsOf(resource, { obj: { a: [1e200] } })).toEqual([
      { pointer: '/obj/a', message: 'must be a string' },
    ]);
    expect(errorsOf(resource, { arr: [1e200] })).toEqual([
      {
        pointer: '/arr/0',
        message: 'is a number DynamoDB cannot store: it must be 0 or of magnitude 1e-130 to below 1e126',
      },
    ]);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 1]) {
      expect(errorsOf(resource, body)).toEqual([{ pointer: '', message: 'the body must be a JSON object' }]);
    }
  });
});

describe('validation of a free-form member (zod only)', () => {
  it('reports unstorable numbers at any depth inside it, beside schema errors', () => {
    expect(errorsOf({ schema: free }, { free: { deep: [1e126] } })).toEqual([
      {
        pointer: '/free/deep/0',
        message: 'is a number DynamoDB cannot store: it must be 0 or of magnitude 1e-130 to below 1e126',
      },
    ]);
    expect(errorsOf({ schema: free }, { gt: 0, free: { x: 1e-131 } }).map((e) => e.pointer)).toEqual([
      '/gt',
      '/free/x',
    ]);
    expect(planOf(free)).toBeUndefined();
  });
});

describe('DynamoDB limits', () => {
  it('stores 0 and magnitudes from 1e-130 to below 1e126', () => {
    for (const n of [0, -0, 1e-130, -1e-130, 9.99999999999999e125, -9.99999999999999e125, 1]) {
      expect(storableNumber(n), String(n)).toBe(true);
    }
    for (const n of [1e126, -1e126, 9.99e-131, 5e-324, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(storableNumber(n), String(n)).toBe(false);
    }
  });

  it('stores 31 levels inside a field, not 32', () => {
    const nest = (k: number): unknown => (k === 0 ? 1 : k % 2 ? [nest(k - 1)] : { n: nest(k - 1) });
    expect(unstorableFields({ f: nest(31) })).toEqual([]);
    const errors = unstorableFields({ f: nest(32) });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('is nested deeper than the 32 levels DynamoDB stores');
    expect(errors[0]!.pointer.split('/')).toHaveLength(33);
    expect(unstorableFields([nest(40), { ok: 1 }, 'x', null, 1e300])).toHaveLength(2);
  });

  it('needs a plan or a schema', () => {
    expect(() => validate({}, {})).toThrow('a resource to validate against needs a plan or a schema');
  });
});
