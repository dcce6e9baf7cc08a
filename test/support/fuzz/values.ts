/**
 * The hostile pieces requests are built from: names, values, numbers and bodies that have broken HTTP
 * services before. Each arbitrary mixes a few ordinary values in, so the hostile ones also reach code past
 * the first check.
 * @module
 */
import fc from 'fast-check';

/** Names every plain object answers to: as a query, header or member name they must stay data. */
export const BUILT_IN_NAMES = [
  'toString',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
  'prototype',
  'length',
] as const;

/**
 * The built-in names used as query and header names. `FUZZ_NAMES=plain` leaves them out, for exploring past a
 * twin that still crashes on them; the suite's default always sends them.
 */
export const HOSTILE_NAMES: readonly string[] = process.env.FUZZ_NAMES === 'plain' ? [] : BUILT_IN_NAMES;

/** Strings that are not valid percent-encoding (sent raw, never encoded again). */
export const BAD_PERCENT = [
  '%',
  '%z',
  '%zz',
  '%G0',
  '%E0%A4%A',
  '%C3%28',
  '%FF',
  '%00',
  '%%',
  '%2',
  '%u0041',
];

/** Numbers at and past what DynamoDB stores: 38 significant digits, magnitudes 1e-130 to 1e125. */
export const EDGE_NUMBERS = [
  '0',
  '-0',
  '1',
  '2',
  '9007199254740993',
  '12345678901234567890123456789012345678',
  '123456789012345678901234567890123456789',
  '9.9999999999999999999999999999999999999e125',
  '1e125',
  '1e126',
  '1e-130',
  '1e-131',
  '5e-324',
  '1.7976931348623157e308',
  '1e309',
  '-1e126',
  '0.1',
  '1E2',
  '-1',
  '1.0',
];

/** Any string: the printable, the full unicode range, lone surrogates (as JSON escapes), and long ones. */
export function anyText(maxLength = 40): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', '💥', 'é', '..', '/', '\\') },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 9000 }).map((n) => 'x'.repeat(n)) },
  );
}

/** An HTTP token (a valid header name or method): what `tchar` allows, in any case. */
export function token(maxLength = 30): fc.Arbitrary<string> {
  const tchar = fc.constantFrom(
    ..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
  );
  return fc.string({ unit: tchar, minLength: 1, maxLength });
}

/** Query parameter names: the API's own, built-in property names, empty, long, raw bad percent-encoding. */
export function queryName(): fc.Arbitrary<{ raw: boolean; text: string }> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .constantFrom('limit', 'cursor', 'sort', 'status', 'pinned', 'price', 'title', 'name', 'id')
        .map(plain),
    },
    ...(HOSTILE_NAMES.length ? [{ weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES).map(plain) }] : []),
    { weight: 1, arbitrary: anyText(20).map(plain) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_PERCENT).map(raw) },
  );
}

/** Query values: meaningful ones for the API, edge numbers, text, bad percent-encoding, long ones. */
export function queryValue(cursors: readonly string[]): fc.Arbitrary<{ raw: boolean; text: string }> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom('1', '0', '100', '101', '-1', '25', 'id', '-id', 'price', '-price', 'title', 'x')
        .map(plain),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom('active', 'draft', 'archived', 'true', 'false', 'ACTIVE').map(plain),
    },
    { weight: 1, arbitrary: fc.constantFrom(...EDGE_NUMBERS).map(plain) },
    { weight: 2, arbitrary: cursor(cursors).map(plain) },
    { weight: 2, arbitrary: anyText().map(plain) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_PERCENT).map(raw) },
  );
}

/** Cursors: real ones (this tenant's, another tenant's), truncated, edited, forged. */
export function cursor(real: readonly string[]): fc.Arbitrary<string> {
  const some = real.length ? fc.constantFrom(...real) : fc.constant('');
  return fc.oneof(
    some,
    fc.tuple(some, fc.nat()).map(([c, n]) => c.slice(0, n % (c.length + 1))),
    fc.tuple(some, fc.nat(), fc.constantFrom('A', '_', '-', '=', '.')).map(([c, n, ch]) => {
      const at = n % (c.length + 1);
      return c.slice(0, at) + ch + c.slice(at + 1);
    }),
    fc.base64String({ maxLength: 200 }),
    fc.json().map((j) => Buffer.from(j).toString('base64url')),
  );
}

/** Header values: printable text, obs-text (latin1 bytes), empty, and long ones. */
export function headerValue(): fc.Arbitrary<string> {
  const visible = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  });
  return fc.oneof(
    { weight: 12, arbitrary: visible },
    {
      weight: 2,
      arbitrary: fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) }),
    },
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom(1000, 8000, 12_000, 17_000).map((n) => 'v'.repeat(n)) },
  );
}

/** Conditional header values: tags, lists, `*`, weak tags, garbage. */
export function conditional(): fc.Arbitrary<string> {
  const tag = fc.oneof(
    fc.nat(5).map((n) => `"${n}"`),
    fc.nat(5).map((n) => `W/"${n}"`),
    fc.constantFrom('*', '"', '""', 'W/', '"1', '1', '"x"', '"1"garbage', '"99999999999999999999"'),
  );
  return fc.oneof(
    tag,
    // Lists where the current version of a fresh item ("1", "2") is not the first tag.
    fc.constantFrom('"0", "1"', '"9", "1", "2"', 'W/"1", "1"', '"0","2"', '"1",,"2"'),
    fc.array(tag, { minLength: 2, maxLength: 6 }).map((t) => t.join(', ')),
    fc.array(tag, { minLength: 2, maxLength: 4 }).map((t) => t.join(',')),
    headerValue(),
  );
}

/** Content types, with and without charsets, right (mostly, so bodies reach the functions) and wrong. */
export function contentType(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'application/json',
        'application/merge-patch+json',
        'application/json; charset=utf-8',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'application/json; charset=UTF-8',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'APPLICATION/JSON',
        'application/json;;;',
        'application/problem+json',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        '*/*',
        '',
        'json',
        undefined,
      ),
    },
  );
}

/** Bodies: JSON of the resources' shapes with wrong types and edge numbers, and bytes that are not JSON. */
export function body(): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 5, arbitrary: nearlyValid().map((t) => Buffer.from(t)) },
    { weight: 3, arbitrary: resourceJson().map((t) => Buffer.from(t)) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)) },
    { weight: 1, arbitrary: prototypeMembers().map((t) => Buffer.from(t)) },
    { weight: 1, arbitrary: deepNesting().map((t) => Buffer.from(t)) },
    { weight: 1, arbitrary: invalidBytes() },
    { weight: 1, arbitrary: hugeString().map((t) => Buffer.from(t)) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '',
          ' ',
          '{',
          '{"name":',
          'null',
          '[]',
          '"x"',
          '1',
          'true',
          '{}',
          '\ufeff{}',
          'NaN',
          '{"a":1}x',
        )
        .map((t) => Buffer.from(t)),
    },
  );
}

/**
 * A valid item or note with one member changed: an edge number, hostile text, a value outside the enum, one
 * member too many. Most of these get past parsing, so they reach validation and the store.
 */
export function nearlyValid(resource?: 'items' | 'notes'): fc.Arbitrary<string> {
  const text = anyText(60).map((t) => JSON.stringify(t));
  const changes: fc.Arbitrary<[string, string]> = fc.oneof(
    fc.tuple(fc.constantFrom('price'), fc.constantFrom(...EDGE_NUMBERS)),
    fc.tuple(fc.constantFrom('name', 'title', 'description', 'body'), text),
    fc.tuple(
      fc.constantFrom('status'),
      fc.oneof(text, fc.constantFrom('"active"', '"ACTIVE"', '"toString"')),
    ),
    fc.tuple(fc.constantFrom('pinned'), fc.constantFrom('true', 'false', '"true"', '0', 'null')),
    fc.tuple(
      fc.constantFrom('expiresAt'),
      fc.constantFrom(
        '"2030-01-01T00:00:00Z"',
        '"2000-01-01T00:00:00Z"',
        '"2030-13-01T00:00:00Z"',
        '"+275760-09-13T00:00:00Z"',
        '"x"',
      ),
    ),
    fc.tuple(
      fc.constantFrom('tags'),
      fc.array(text, { maxLength: 22 }).map((a) => `[${a.join(',')}]`),
    ),
    fc.tuple(fc.constantFrom(...BUILT_IN_NAMES, 'id', 'version', 'createdBy', '_pk', '_sk', '_type'), text),
  );
  const isItem = resource ? fc.constant(resource === 'items') : fc.boolean();
  return fc.tuple(isItem, changes).map(([item, [key, value]]) => {
    const base = item
      ? { name: '"pen"', price: '2', status: '"draft"' }
      : { title: '"memo"', pinned: 'false' };
    const members = new Map(Object.entries(base)).set(key, value);
    return `{${[...members].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  });
}

/** A JSON object with the resources' field names, each given a right or wrong value. */
function resourceJson(): fc.Arbitrary<string> {
  const fields = [
    'name',
    'price',
    'description',
    'tags',
    'status',
    'title',
    'body',
    'pinned',
    'expiresAt',
    'id',
  ];
  const value = fc.oneof(
    anyText().map((s) => JSON.stringify(s)),
    fc.constantFrom(...EDGE_NUMBERS),
    fc.constantFrom('true', 'false', 'null', '[]', '{}', '["a"]', '"active"', '"2030-01-01T00:00:00Z"'),
    fc.array(anyText(10), { maxLength: 25 }).map((a) => JSON.stringify(a)),
  );
  return fc
    .uniqueArray(fc.tuple(fc.constantFrom(...fields, ...BUILT_IN_NAMES), value), {
      selector: ([k]) => k,
      maxLength: 6,
    })
    .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

/** `__proto__` and `constructor` as members, at the top and nested, as JSON text (JSON.stringify drops them). */
function prototypeMembers(): fc.Arbitrary<string> {
  const name = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString');
  const value = fc.constantFrom('{"name":"x","price":1}', '{"isAdmin":true}', '1', 'null', '"x"');
  return fc.tuple(name, value, fc.nat(2)).map(([k, v, shape]) => {
    if (shape === 0) return `{"${k}":${v}}`;
    if (shape === 1) return `{"name":"p","price":1,"title":"t","${k}":${v}}`;
    return `{"tags":[],"${k}":{"${k}":${v}}}`;
  });
}

function deepNesting(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(10, 100, 1000, 5000, 20_000), fc.constantFrom('[', '{"a":'), fc.boolean())
    .map(([depth, open, closed]) => {
      const close = open === '[' ? ']' : '}';
      return `{"name":${open.repeat(depth)}1${closed ? close.repeat(depth) : ''},"price":1}`;
    });
}

function invalidBytes(): fc.Arbitrary<Buffer> {
  return fc.constantFrom(
    Buffer.from([0xff, 0xfe]),
    Buffer.from('{"name":"\xff","price":1}', 'latin1'),
    Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","price":1}')]),
    Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","price":1}')]),
    Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","price":1}')]),
    Buffer.from('{"name":"\\ud800","price":1}'),
    Buffer.from('{"name":"a\u0000b","price":1}'),
  );
}

function hugeString(): fc.Arbitrary<string> {
  return fc
    .constantFrom(99_000, 102_400, 150_000, 1_000_000)
    .map((n) => `{"title":"${'h'.repeat(n)}","name":"n","price":1}`);
}

function plain(text: string) {
  return { raw: false, text };
}

function raw(text: string) {
  return { raw: true, text };
}

/** Percent-encodes any string; lone surrogates (which `encodeURIComponent` refuses) become U+FFFD first. */
export function pct(text: string): string {
  return encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));
}
