/**
 * The plan checker against zod on chosen inputs at the edges (bounds hit exactly, lone surrogates, arrays over
 * their cap, absent optionals), and which schemas get no plan: zod stays the oracle.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type Plan, planOf, runPlan } from './plan';

/** The parsed value with its own keys, or the issues with every member `validation.ts` reads. */
function outcome(r: { success: boolean; data?: unknown; issues?: readonly Record<string, unknown>[] }) {
  if (r.success)
    return { ok: true, data: r.data, keys: r.data && typeof r.data === 'object' ? Object.keys(r.data) : [] };
  return {
    ok: false,
    issues: r.issues!.map((i) => ({
      code: i.code,
      path: i.path,
      expected: i.expected,
      origin: i.origin,
      minimum: i.minimum,
      maximum: i.maximum,
      inclusive: i.inclusive,
      values: i.values,
      format: i.format,
      keys: i.keys,
    })),
  };
}

function agree(schema: z.ZodMiniType, values: unknown[]) {
  const plan = planOf(schema) as Plan;
  expect(plan).toBeDefined();
  for (const v of values) {
    const zod = schema.safeParse(v);
    const want = outcome(
      zod.success
        ? { success: true, data: zod.data }
        : { success: false, issues: zod.error.issues as unknown as Record<string, unknown>[] },
    );
    expect(outcome(runPlan(plan, v) as never), JSON.stringify(v)).toEqual(want);
  }
}

describe('runPlan agrees with zod at the edges', () => {
  it('counts code points: pairs as one, lone surrogates as one each', () => {
    const s = z.string().check(z.minLength(2), z.maxLength(2));
    agree(s, ['😀', '😀a', '\ud800a', 'a\ud800', '\udc00\ud800', '\ud800\ud800', 'a😀', '😀😀', '']);
    agree(z.string().check(z.length(2)), ['a', 'ab', 'abc', '😀', '😀😀']);
  });

  it('compares number bounds exactly, inclusive or not', () => {
    agree(z.number().check(z.gt(5)), [5, 5.000001, 4.9]);
    agree(z.number().check(z.gte(5)), [5, 4.999999]);
    agree(z.number().check(z.lt(5)), [5, 4.999999, 6]);
    agree(z.number().check(z.lte(5)), [5, 5.000001]);
    agree(z.number(), [Number.POSITIVE_INFINITY, Number.NaN, '1', null]);
    agree(z.number().check(z.gt(0), z.lt(1)), [0, 1, 0.5, -1, 2]);
  });

  it('runs string checks after a failed one, as zod does, and stops on a type mismatch', () => {
    const s = z.string().check(z.minLength(3), z.regex(/^a/), z.maxLength(4), z.regex(/z$/i));
    agree(s, ['b', 'ab', 'abcdeZ', 'bcdef', 'az', 'aZ', 3, null, ['a', 'b', 'c']]);
    agree(z.string().check(z.regex(/a/g)), ['a', 'a', 'b', 'ba']);
  });

  it('caps arrays over their maximum: that issue alone', () => {
    const a = z.array(z.string().check(z.minLength(1))).check(z.minLength(2), z.maxLength(3));
    agree(a, [[], [''], ['a'], ['a', ''], ['', '', '', ''], ['a', 'b', 'c', 'd'], [1, 2], 'abc']);
    agree(z.array(z.number()).check(z.length(2)), [[1], [1, 2], [1, 2, 3], ['x', 'y', 'z'], ['x']]);
    agree(z.array(z.string()).check(z.maxLength(1), z.minLength(1)), [[], ['a', 'b'], [1, 2]]);
  });

  it('leaves absent optionals absent, keeps null where allowed, and reports unknown keys', () => {
    const o = z.strictObject({
      a: z.optional(z.string()),
      b: z.nullable(z.optional(z.string())),
      c: z.nullable(z.string()),
      d: z.optional(z.nullable(z.number())),
    });
    agree(o, [
      { c: null },
      { c: 'x', a: 'y' },
      { b: null, c: null },
      {},
      { c: null, d: null },
      { c: null, x: 1, y: 2 },
      { a: 1 },
    ]);
    agree(z.object({ a: z.optional(z.string()) }), [{}, { a: 'x', z: 1 }, null, []]);
  });

  it('reads literals, enums and booleans', () => {
    agree(z.literal('a'), ['a', 'b', 1]);
    agree(z.literal([1, true, null]), [1, true, null, '1', false]);
    agree(z.enum(['x', 'y']), ['x', 'z']);
    agree(z.boolean(), [true, false, 'true', 0]);
  });
});

describe('planOf', () => {
  it('writes each reproduced check as the plan names it', () => {
    expect(planOf(z.string().check(z.length(3)))).toEqual({
      t: 'string',
      checks: [{ k: 'length_equals', n: 3 }],
    });
    expect(planOf(z.string().check(z.regex(/^a+$/i)))).toEqual({
      t: 'string',
      checks: [{ k: 'format', format: 'regex', source: '^a+$', flags: 'i' }],
    });
    expect(planOf(z.boolean())).toEqual({ t: 'boolean' });
    expect(planOf(z.literal('a'))).toEqual({ t: 'values', values: ['a'] });
    expect(planOf(z.object({ a: z.string() }))).toEqual({
      t: 'object',
      unknown: 'strip',
      shape: [['a', { t: 'string', checks: [] }]],
    });
    expect(planOf(z.nullable(z.optional(z.boolean())))).toEqual({
      t: 'nullable',
      inner: { t: 'optional', inner: { t: 'boolean' } },
    });
  });

  it('has no plan for what it does not reproduce', () => {
    const outside: unknown[] = [
      undefined,
      null,
      {},
      z.boolean().check(z.refine((b) => b)),
      z.literal([undefined, 'a']),
      z.literal(BigInt(1)),
      z.enum(['a']).check(z.refine(() => true)),
      z.array(z.int()),
      z.array(z.string()).check(z.refine(() => true)),
      z.optional(z.string()).check(z.refine(() => true)),
      z.nullable(z.string()).check(z.refine(() => true)),
      z.strictObject({ ['__proto__']: z.string() }),
      z.string().check(z.minLength(1, { abort: true })),
      z.number().check(z.gt(BigInt(1) as never)),
      z.object({ a: z.string() }).check(z.refine(() => true)),
      z.strictObject({ a: z.int() }),
    ];
    for (const s of outside) expect(planOf(s), String(s)).toBeUndefined();
  });
});
