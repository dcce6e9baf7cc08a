import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { items } from '../resources/items';
import { notes } from '../resources/notes';
import { type Plan, type PlanIssue, planOf, runPlan } from './plan';
import { inheritingNothing } from './validation';

/** Every kind of node and check the checker reproduces, in one schema. */
const kitchenSink = z.strictObject({
  s: z.string().check(z.minLength(2), z.maxLength(5), z.regex(/^[a-z]+$/)),
  e: z.optional(z.email()),
  n: z.number().check(z.gt(0), z.lte(10)),
  m: z.optional(z.number().check(z.lt(0), z.gte(-5))),
  l: z.nullable(z.literal(['a', 1, true])),
  a: z.optional(z.array(z.nullable(z.string())).check(z.minLength(1), z.length(3))),
  o: z.optional(z.object({ x: z.boolean(), y: z.optional(z.nullable(z.optional(z.string()))) })),
  u: z.nullable(z.optional(z.uuid())),
  d: z.optional(z.iso.date()),
  t: z.optional(z.enum(['on', 'off'])),
});

const schemas = { items: items.schema, notes: notes.schema, kitchenSink } as const;

/** What the two sides are compared on: the parsed value, or each issue's members that `validation.ts` reads. */
function outcome(r: { success: true; data: unknown } | { success: false; issues: readonly PlanIssue[] }) {
  if (r.success) return { ok: true, data: JSON.stringify(r.data) };
  return {
    ok: false,
    issues: r.issues.map((i) => ({
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

const viaZod = (schema: z.ZodMiniType, v: unknown) => {
  let r: ReturnType<typeof schema.safeParse>;
  try {
    r = schema.safeParse(v);
  } catch {
    // zod throws where it compares an object's `length` member that has no usable toString; the plan skips that
    // check (the value already has the wrong type). Compared on that: a failure with a type issue.
    return 'throws' as const;
  }
  return outcome(
    r.success ? { success: true, data: r.data } : { success: false, issues: r.error.issues as PlanIssue[] },
  );
};
const viaPlan = (plan: Plan, v: unknown) => outcome(runPlan(plan, v));

const keys = [
  ...new Set(Object.values(schemas).flatMap((s) => Object.keys(s.shape))),
  'x',
  'y',
  '__proto__',
  'constructor',
  'length',
  'toString',
];
const leaf = fc.oneof(
  fc.constantFrom(
    '',
    'a',
    'ab',
    'abcdef',
    'AB',
    'draft',
    'active',
    'on',
    '2030-01-01T00:00:00Z',
    '2030-01-01T00:00:00.25Z',
    '2030-02-30T00:00:00Z',
    '2030-01-01',
    'a@b.co',
    '123e4567-e89b-12d3-a456-426614174000',
    '\ud83d\ude00',
    '\ud83d',
  ),
  // Near the length bounds, counted in code points or in UTF-16 units.
  fc
    .tuple(
      fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 19, 20, 21, 49, 50, 51, 199, 200, 201),
      fc.constantFrom('a', '😀'),
    )
    .map(([n, c]) => c.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(0, -0, 1, -1, 10, 11, -5, -6, 0.5, 1e21, true, false, null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 22 }),
    fc
      .array(fc.tuple(fc.constantFrom(...keys), tie('value')), { maxLength: 8 })
      .map((e) => Object.fromEntries(e)),
  ),
}));
/** Objects that mostly use a schema's own keys, so that most runs get past the first field. */
const near = (schema: z.ZodMiniObject) =>
  fc
    .array(fc.tuple(fc.constantFrom(...Object.keys(schema.shape), ...keys), value), { maxLength: 10 })
    .map((e) => Object.fromEntries(e));
// Through JSON, as a request body arrives (an own `__proto__` key stays a key).
const asBody = (v: unknown) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown;

describe('planOf', () => {
  it('reads the declared resources', () => {
    expect(planOf(items.schema)).toMatchObject({
      t: 'object',
      unknown: 'strict',
      shape: [
        [
          'name',
          {
            t: 'string',
            checks: [
              { k: 'min_length', n: 1 },
              { k: 'max_length', n: 200 },
            ],
          },
        ],
        ['price', { t: 'number', checks: [{ k: 'greater_than', n: 0, inclusive: true }] }],
        ['description', { t: 'optional' }],
        ['tags', { t: 'optional', inner: { t: 'array' } }],
        ['status', { t: 'optional', inner: { t: 'values', values: ['draft', 'active', 'archived'] } }],
      ],
    });
    expect(planOf(notes.schema)).toMatchObject({ t: 'object' });
    expect(planOf(kitchenSink)).toMatchObject({ t: 'object' });
    expect(items.plan).toEqual(planOf(items.schema));
  });

  it('has no plan for what it does not reproduce, so those functions keep zod', () => {
    const outside = [
      z.int(),
      z.url(),
      z.string().check(z.refine((s) => s !== 'x')),
      z.string().check(z.includes('x')),
      z.union([z.string(), z.number()]),
      z._default(z.string(), 'x'),
      z.optional(z._default(z.string(), 'x')),
      z.record(z.string(), z.string()),
      z.looseObject({ a: z.string() }),
      z.number().check(z.multipleOf(2)),
      z.pipe(
        z.string(),
        z.transform((s) => s.length),
      ),
      z.strictObject({ ok: z.string(), no: z.int() }),
    ];
    for (const s of outside) expect(planOf(s)).toBeUndefined();
  });
});

describe('runPlan agrees with zod', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    const plan = planOf(schema) as Plan;
    it(`on ${name}: same parsed value or same issues, for any JSON body`, () => {
      fc.assert(
        fc.property(fc.oneof(near(schema), value), (raw) => {
          const v = asBody(raw);
          const zod = viaZod(schema, v);
          const ours = viaPlan(plan, v);
          if (zod === 'throws') {
            expect(ours.ok).toBe(false);
            expect(ours.issues?.some((i) => i.code === 'invalid_type')).toBe(true);
          } else expect(ours).toEqual(zod);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('on values JSON.parse can make but JSON.stringify cannot (1e400 is Infinity)', () => {
    const plan = planOf(items.schema) as Plan;
    for (const v of [
      { name: 'a', price: JSON.parse('1e400') },
      { name: 'a', price: -JSON.parse('1e400') },
    ]) {
      expect(viaPlan(plan, v)).toEqual(viaZod(items.schema, v));
      expect(viaPlan(plan, v).ok).toBe(false);
    }
  });

  it('reports, where zod throws, the type mismatch (a 400, not a 500)', () => {
    const plan = planOf(items.schema) as Plan;
    const v = asBody({ name: { length: { toString: '' } }, price: 1 });
    expect(viaZod(items.schema, v)).toBe('throws');
    expect(viaPlan(plan, v)).toEqual({
      ok: false,
      issues: [expect.objectContaining({ code: 'invalid_type', path: ['name'], expected: 'string' })],
    });
  });

  it('counts string lengths in code points, as zod does', () => {
    const plan = planOf(items.schema) as Plan;
    const v = { name: '😀'.repeat(200), price: 1, tags: ['😀'.repeat(50)] };
    expect(runPlan(plan, v).success).toBe(true);
    expect(viaPlan(plan, v)).toEqual(viaZod(items.schema, v));
  });
});

describe('runPlan reads only the body’s own members', () => {
  // Declared fields named like Object.prototype members: every body inherits one of that name, and an absent
  // field must still be absent (zod's own `key in input` finds the inherited one).
  const schema = z.strictObject({
    toString: z.string(),
    constructor: z.optional(z.string()),
    valueOf: z.optional(z.object({ hasOwnProperty: z.optional(z.number()) })),
  });
  const plan = planOf(schema) as Plan;

  it('takes a field named like a prototype member as absent unless the body has it', () => {
    expect(runPlan(plan, asBody({ toString: 'a' }))).toEqual({ success: true, data: { toString: 'a' } });
    expect(runPlan(plan, asBody({ toString: 'a', valueOf: {} }))).toEqual({
      success: true,
      data: { toString: 'a', valueOf: {} },
    });
    expect(runPlan(plan, asBody({}))).toEqual({
      success: false,
      issues: [{ expected: 'string', code: 'invalid_type', path: ['toString'] }],
    });
  });

  it('takes it when the body has it', () => {
    const body = asBody({ toString: 'a', constructor: 'b', valueOf: { hasOwnProperty: 1 } });
    expect(runPlan(plan, body)).toEqual({ success: true, data: body });
    expect(runPlan(plan, asBody({ toString: 'a', constructor: 1 }))).toMatchObject({
      success: false,
      issues: [{ code: 'invalid_type', path: ['constructor'] }],
    });
  });

  it('agrees with zod given the body as validation.ts hands it over (objects that inherit nothing)', () => {
    fc.assert(
      fc.property(fc.oneof(near(schema), value), (raw) => {
        const v = asBody(raw);
        expect(viaPlan(plan, v)).toEqual(viaZod(schema, inheritingNothing(v)));
      }),
      { numRuns: 400 },
    );
  });
});
