/**
 * Whole requests from the pieces in `values.ts`: method, path, query, headers, body and whose credentials.
 * The generator knows the seeded world (both tenants' ids and cursors), so cases reach real items, and
 * tenant B tries tenant A's ids and cursors.
 * @module
 */
import fc from 'fast-check';
import {
  anyText,
  BAD_PERCENT,
  BUILT_IN_NAMES,
  body,
  conditional,
  contentType,
  HOSTILE_NAMES,
  headerValue,
  nearlyValid,
  pct,
  queryName,
  queryValue,
  token,
} from './values';

/** What the generator may aim at: the seeded tenants' ids and real cursors. */
export interface FuzzWorld {
  /** Tenant A's item ids (B must never see them unless B sent them). */
  readonly aIds: readonly string[];
  readonly bIds: readonly string[];
  /** Real list cursors of both tenants. */
  readonly cursors: readonly string[];
}

/** Whose credentials a case carries. */
export type Auth =
  | 'b'
  | 'big'
  | 'none'
  | 'no-key'
  | 'wrong-key'
  | 'bad-token'
  | 'lowercase-bearer'
  | 'two-tokens';

/** One generated request; `target` is relative to the stage's base path. */
export interface FuzzCase {
  readonly method: string;
  readonly target: string;
  readonly auth: Auth;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
  /**
   * The event would exceed Lambda's 6 MB synchronous payload: the function must not answer it, and the
   * gateway's 502 for a failed invocation is allowed.
   */
  readonly overInvokeLimit?: boolean;
}

/** The request arbitrary over a seeded world. */
export function fuzzCase(world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const anything = fc
    .record({
      route: route(world),
      query: query(world),
      auth: fc.oneof(
        { weight: 12, arbitrary: fc.constant<Auth>('b') },
        {
          weight: 1,
          arbitrary: fc.constantFrom<Auth>(
            'none',
            'no-key',
            'wrong-key',
            'bad-token',
            'lowercase-bearer',
            'two-tokens',
          ),
        },
      ),
      headers: headers(),
      contentType: contentType(),
      body: fc.option(body(), { freq: 3 }),
    })
    .map(({ route, query, auth, headers, contentType, body }) => ({
      method: route.method,
      target: route.path + query,
      auth,
      headers: contentType === undefined ? headers : [['Content-Type', contentType] as const, ...headers],
      ...(body === null ? {} : { body }),
    }));
  const cases = fc.oneof(
    { weight: 6, arbitrary: anything },
    { weight: 2, arbitrary: write(world) },
    { weight: 1, arbitrary: list(world) },
  );
  // fast-check's own strings also come out as `__proto__` or `toString` now and then.
  return HOSTILE_NAMES.length ? cases : cases.filter((c) => !hasBuiltInName(c));
}

/** A write that is right but for one value or header, so it reaches the store: create, replace, patch. */
function write(world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const resource = fc.constantFrom<'items' | 'notes'>('items', 'notes');
  const ids = world.bIds.length ? fc.constantFrom(...world.bIds) : fc.uuid();
  return fc
    .record({
      resource,
      method: fc.constantFrom('POST', 'POST', 'PUT', 'PATCH'),
      id: ids,
      extra: fc.array(
        fc.oneof(
          fc.tuple(fc.constantFrom('If-Match'), conditional()),
          fc.tuple(fc.constant('Idempotency-Key'), idempotencyKey()),
        ),
        { maxLength: 2 },
      ),
    })
    .chain(({ resource, method, id, extra }) =>
      nearlyValid(resource).map((json) => ({
        method,
        target: method === 'POST' ? `/${resource}` : `/${resource}/${id}`,
        auth: 'b' as const,
        headers: [
          ['Content-Type', method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'] as const,
          ...extra,
        ],
        body: Buffer.from(json),
      })),
    );
}

/** A list with a filter, maybe a sort and a limit, each value right or wrong, so lists reach the store. */
function list(world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const value = queryValue(world.cursors);
  const param = (name: string) => fc.option(value.map((v) => `${name}=${v.raw ? v.text : pct(v.text)}`));
  return fc
    .tuple(fc.constantFrom(['items', 'status'], ['notes', 'pinned']), fc.boolean())
    .chain(([[resource, filter], filtered]) =>
      fc
        .tuple(
          filtered ? value.map((v) => `${filter}=${v.raw ? v.text : pct(v.text)}`) : fc.constant(null),
          param('sort'),
          param('limit'),
        )
        .map((params) => ({
          method: 'GET',
          target: `/${resource}?${params.filter((p) => p !== null).join('&')}`,
          auth: 'b' as const,
          headers: [],
        })),
    );
}

/** True when a query or header name of the case is a built-in property name. */
export function hasBuiltInName(c: FuzzCase): boolean {
  const names = new Set<string>(BUILT_IN_NAMES);
  const query = c.target.split('?')[1] ?? '';
  return (
    c.headers.some(([n]) => names.has(n)) || query.split(/[&;]/).some((p) => names.has(p.split('=')[0] ?? ''))
  );
}

/**
 * A method and a path, mostly one of the API's routes (so cases get past the gateway's routing), sometimes any
 * method on any path.
 */
function route(world: FuzzWorld): fc.Arbitrary<{ method: string; path: string }> {
  const resource = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('items', 'items', 'notes') },
    { weight: 1, arbitrary: fc.constantFrom('Items', 'nope', '', 'items%2Fx', 'items.json') },
  );
  const id = idSegment(world);
  const on = (methods: string[], path: fc.Arbitrary<string>) =>
    fc.record({ method: fc.constantFrom(...methods), path });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: on(
        ['GET', 'POST'],
        resource.map((r) => `/${r}`),
      ),
    },
    {
      weight: 6,
      arbitrary: on(
        ['GET', 'PUT', 'PATCH', 'DELETE'],
        fc.tuple(resource, id).map(([r, i]) => `/${r}/${i}`),
      ),
    },
    {
      weight: 2,
      arbitrary: on(
        ['GET'],
        fc.tuple(resource, id).map(([r, i]) => `/${r}/${i}/history`),
      ),
    },
    { weight: 2, arbitrary: fc.record({ method: method(), path: oddPath(resource, id) }) },
  );
}

function method(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') },
    { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'QUERY') },
    { weight: 1, arbitrary: fc.constantFrom('get', 'post', 'Patch', 'delete', 'FOO', 'G3T') },
  );
}

/** Paths next to the routes: trailing slashes, extra segments, dot segments, empty. */
function oddPath(resource: fc.Arbitrary<string>, id: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const suffix = fc.constantFrom('/history/', '/', '/x', '/..', '/history/x');
  return fc.oneof(
    fc.tuple(resource, id, suffix).map(([r, i, s]) => `/${r}/${i}${s}`),
    fc.constantFrom('', '/', '//items', '/items//', '/../items', '/%2e%2e/items', '/*', '/items/'),
  );
}

/** Ids: this tenant's, the other tenant's, unknown UUIDs, and segments that are no id at all. */
export function idSegment(world: FuzzWorld): fc.Arbitrary<string> {
  const pick = (ids: readonly string[]) => (ids.length ? fc.constantFrom(...ids) : fc.uuid());
  return fc.oneof(
    { weight: 4, arbitrary: pick(world.bIds) },
    { weight: 3, arbitrary: pick(world.aIds) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: pick(world.bIds).map((id) => id.toUpperCase()) },
    { weight: 2, arbitrary: anyText(60).map(pct) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '..',
        '.',
        '%2F',
        'a%2Fb',
        '%2e%2e',
        '%00',
        ...BAD_PERCENT,
        ...BUILT_IN_NAMES,
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(2000, 8000).map((n) => '0'.repeat(n)) },
  );
}

/** A query string (with its `?`), pairs joined by `&` or `;`, names possibly repeated. */
function query(world: FuzzWorld): fc.Arbitrary<string> {
  const pair = fc
    .tuple(queryName(), queryValue(world.cursors), fc.boolean())
    .map(([n, v, bare]) => (bare && n.text !== 'limit' ? enc(n) : `${enc(n)}=${enc(v)}`));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.array(pair, { minLength: 1, maxLength: 6 }), fc.constantFrom('&', '&', ';'))
        .map(([pairs, sep]) => `?${pairs.join(sep)}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(pair, fc.integer({ min: 2, max: 50 }))
        .map(([p, n]) => `?${Array(n).fill(p).join('&')}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('?', '?&', '?=', '?==', '?&&&', `?cursor=${'A'.repeat(5000)}`) },
  );
}

function enc(part: { raw: boolean; text: string }): string {
  return part.raw ? part.text : pct(part.text);
}

/** Extra headers: the API's own with hostile values, built-in names, random names, and many of them. */
function headers(): fc.Arbitrary<(readonly [string, string])[]> {
  const named = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom('If-Match', 'if-match', 'If-None-Match'), conditional()),
    },
    { weight: 2, arbitrary: fc.tuple(fc.constant('Idempotency-Key'), idempotencyKey()) },
    ...(HOSTILE_NAMES.length
      ? [{ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_NAMES), headerValue()) }]
      : []),
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom(
          'Accept',
          'Origin',
          'X-Forwarded-For',
          'X-Amzn-Trace-Id',
          'Content-Encoding',
          'Accept-Charset',
        ),
        headerValue(),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(token(200), headerValue()) },
  );
  // Many headers, each short: past a 16 KB header block Node's parser answers before the twin sees anything.
  const short = fc.tuple(token(20), fc.string({ maxLength: 40 }));
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(named, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(short, { minLength: 20, maxLength: 150 }) },
  );
}

/** Keys from a small pool, so replays and reuse with another body happen, and hostile ones. */
function idempotencyKey(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('k1', 'k2', 'k3', 'toString', '__proto__'),
    fc.uuid(),
    fc.constantFrom('', ' ', 'k'.repeat(255), 'k'.repeat(256), 'k'.repeat(4000), 'é', '\xff'),
    // A header value is latin1 text without CR, LF or NUL.
    anyText(300).filter((s) => [...s].every((ch) => ch >= ' ' && ch <= '\u00ff')),
  );
}

/** Lambda's synchronous invocation payload limit, 6 MB (Lambda API reference, Invoke). */
export const INVOKE_PAYLOAD_LIMIT = 6 * 1024 * 1024;

/** The worst sizes, few and slow: bodies just under and past Lambda's 6 MB and API Gateway's 10 MB. */
export function* sizeCases(): Generator<FuzzCase> {
  // One at a time: held all at once they are 52 MB of buffers for as long as the module is loaded.
  const sizes = [
    { size: 5.9e6, method: 'POST' },
    { size: 6.5e6, method: 'POST' },
    { size: 7e6, method: 'PUT' },
    { size: 10_485_760, method: 'POST' },
    { size: 10_485_761, method: 'POST' },
    { size: 12e6, method: 'PATCH' },
  ];
  for (const { size, method } of sizes) {
    yield {
      method,
      target: method === 'POST' ? '/items' : '/items/00000000-0000-7000-8000-000000000000',
      auth: 'b',
      headers: [['Content-Type', 'application/json']],
      body: sizedBody(size),
      overInvokeLimit: size > INVOKE_PAYLOAD_LIMIT,
    };
  }
}

function sizedBody(size: number): Buffer {
  const shell = '{"name":"big","price":1,"description":""}';
  const b = Buffer.alloc(size, 0x61);
  b.write(shell.slice(0, -2), 0);
  b.write('"}', size - 2);
  return b;
}
