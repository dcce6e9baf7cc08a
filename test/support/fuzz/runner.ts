/**
 * The fuzz run shared by `test/fuzz.test.ts` and `npm run fuzz`: a twin with two seeded tenants, one
 * function that sends a case and checks every invariant, the run's figures, and the checks after the run
 * (the twin still serves a round trip; memory before and after).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../../local/twin';
import { checkResponse, excerpt, type Violation } from './invariants';
import { head, type RawRequest, type RawResponse, sendRaw } from './raw-http';
import { type FuzzCase, type FuzzWorld, hasBuiltInName } from './requests';

/** A running twin, the seeded world, and the credentials cases are sent with. */
export interface FuzzTarget {
  readonly twin: Twin;
  readonly world: FuzzWorld;
  /** A's ids and the marker in A's values: B must never see them. */
  readonly secrets: readonly string[];
  readonly tokens: { readonly a: string; readonly b: string; readonly big: string };
  readonly stop: () => Promise<void>;
}

/** Counts of one run. */
export interface FuzzStats {
  cases: number;
  readonly statuses: Map<number, number>;
  /** Violations grouped by kind; each keeps how often it happened and its smallest case. */
  readonly violations: Map<string, { count: number; example: string; detail: string }>;
}

/** Starts a twin and seeds tenant A (marked values, history, a deleted item) and tenant B. */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twin-fuzz-'));
  // The usage plan's default rate (50/s) would answer most cases with 429 before they reach anything.
  const context = { throttleRate: 1_000_000, throttleBurst: 1_000_000, quotaLimit: 2_000_000_000 };
  const twin = await startTwin({ port: 0, dataDir, inMemory: true, context });
  const marker = `zqmark${randomBytes(6).toString('hex')}`;
  const tokens = {
    a: await twin.token({ sub: 'alice', tenant: 'tenant-a' }),
    b: await twin.token({ sub: 'bob', tenant: 'tenant-b' }),
    big: await twin.token({ sub: 'bea', tenant: 'tenant-big' }),
  };
  const aIds = await seed(twin, tokens.a, marker, 8);
  const bIds = await seed(twin, tokens.b, 'bee', 6);
  const cursors = [...(await cursorsOf(twin, tokens.a)), ...(await cursorsOf(twin, tokens.b))];
  return {
    twin,
    world: { aIds, bIds, cursors },
    secrets: [marker, ...aIds],
    tokens,
    stop: async () => {
      await twin.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Items and notes for one tenant, each carrying `mark`; one patched (history), one deleted. */
async function seed(twin: Twin, token: string, mark: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const item = { name: `${mark}-${i}`, price: i, description: mark, tags: [mark], status: 'active' };
    ids.push((await api(twin, token, 'POST', '/items', item)).id as string);
    ids.push(
      (await api(twin, token, 'POST', '/notes', { title: `${mark}-${i}`, body: mark, pinned: true }))
        .id as string,
    );
  }
  await api(twin, token, 'PATCH', `/items/${ids[0]}`, { description: `${mark} patched` });
  await api(twin, token, 'DELETE', `/items/${ids[2]}`);
  return ids;
}

/** Real next-page cursors of a tenant's plain, sorted and filtered lists. */
async function cursorsOf(twin: Twin, token: string): Promise<string[]> {
  const queries = [
    '/items?limit=2',
    '/items?limit=1&sort=-price',
    '/items?limit=1&status=active',
    '/notes?limit=2',
  ];
  const pages = await Promise.all(queries.map((q) => api(twin, token, 'GET', q)));
  return pages.map((p) => p.nextCursor).filter((c): c is string => typeof c === 'string');
}

/** A well-formed call with `fetch`; throws unless it succeeded. */
export async function api(
  twin: Twin,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${twin.url}${path}`, {
    method,
    headers: {
      'x-api-key': twin.apiKey,
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

/** Fresh, empty counters. */
export function newStats(): FuzzStats {
  return { cases: 0, statuses: new Map(), violations: new Map() };
}

/** Sends one case through the twin, counts its status, and returns the violations it found. */
export async function runCase(
  target: FuzzTarget,
  c: FuzzCase,
  stats: FuzzStats,
  onStatus?: (status: number) => void,
): Promise<Violation[]> {
  const req = toRaw(target, c);
  const url = new URL(target.twin.url);
  const abort = new AbortController();
  const crashes: Violation[] = [];
  const exchange = { abort, crashes };
  inFlight.add(exchange);
  let res: RawResponse;
  try {
    res = await sendRaw({ host: url.hostname, port: Number(url.port) }, req, 40_000, abort.signal);
  } catch (e) {
    res = { status: 0, headers: new Map(), body: Buffer.from(String(e)) };
  } finally {
    inFlight.delete(exchange);
  }
  // What Node's parser counts against its limit: the request line and every header line, as written.
  const headerBytes = head({ host: url.hostname, port: Number(url.port) }, req).length;
  const violations = crashes.length
    ? crashes
    : checkResponse(c, headerBytes, res, { values: target.secrets });
  if (res.status === 201 && c.auth === 'b') violations.push(...(await checkLocation(target, req, res)));
  if (process.env.FUZZ_SHOW_STATUS === String(res.status)) {
    console.log(`${res.status} ${describeCase(c).slice(0, 300)}\n  -> ${excerpt(res.body.toString())}`);
  }
  onStatus?.(res.status);
  stats.cases++;
  stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
  for (const v of violations) record(stats, v, c);
  return violations;
}

/** A 201's `Location`, resolved against the request's URL as a client would, leads to the created item. */
async function checkLocation(target: FuzzTarget, req: RawRequest, res: RawResponse): Promise<Violation[]> {
  const location = res.headers.get('location')?.[0];
  const url = new URL(target.twin.url);
  const resolved = location === undefined ? undefined : new URL(location, new URL(req.target, url));
  const got = resolved
    ? await sendRaw(
        { host: url.hostname, port: Number(url.port) },
        {
          method: 'GET',
          target: resolved.pathname,
          headers: toRaw(target, { method: 'GET', target: '', auth: 'b', headers: [] }).headers,
        },
      )
    : undefined;
  if (got?.status === 200) return [];
  return [
    { kind: "201's Location does not lead to the item", detail: `Location: ${location} -> ${got?.status}` },
  ];
}

/** Exchanges under way; a crash cannot be told apart among concurrent ones, so it counts for each. */
const inFlight = new Set<{ abort: AbortController; crashes: Violation[] }>();

/**
 * Turns an uncaught exception in the twin (it runs in this process) into a violation of the case in flight,
 * and ends that exchange, so one crasher does not end the run or hang it. Returns the uninstaller.
 */
export function trapTwinCrashes(): () => void {
  const trap = (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    const frame = /\n\s+at ([^\n]+)/.exec(err.stack ?? '')?.[1] ?? '';
    if (!inFlight.size) throw err;
    for (const exchange of inFlight) {
      exchange.crashes.push({ kind: `twin threw ${err.name}: ${err.message}`, detail: `at ${frame}` });
      exchange.abort.abort();
    }
  };
  process.on('uncaughtException', trap);
  return () => process.off('uncaughtException', trap);
}

function record(stats: FuzzStats, v: Violation, c: FuzzCase): void {
  const example = describeCase(c);
  // Cases with a built-in property name as a query or header name are counted apart: they are one known
  // class of bug, and would otherwise hide every other cause of the same status.
  const kind = `${v.kind} on ${routeOf(c)}${hasBuiltInName(c) ? ' [built-in name in query or headers]' : ''}`;
  const seen = stats.violations.get(kind);
  if (!seen) stats.violations.set(kind, { count: 1, example, detail: v.detail });
  else {
    seen.count++;
    if (example.length < seen.example.length) Object.assign(seen, { example, detail: v.detail });
  }
}

/**
 * The route template a case aimed at (`PATCH /{resource}/{id}`), or `another path`: violations are grouped by
 * route, so one route's bug does not hide another's, and odd paths do not make a group each.
 */
function routeOf(c: FuzzCase): string {
  const path = c.target.split('?')[0] ?? '';
  const m = /^\/(items|notes)(\/[^/]+)?(\/history)?$/.exec(path);
  if (!m) return `${c.method} another path`;
  return `${c.method} /${m[1]}${m[2] ? '/{id}' : ''}${m[3] ?? ''}`;
}

/** The request as it goes on the wire: the stage's base path, then the credentials the case asks for. */
export function toRaw(target: FuzzTarget, c: FuzzCase): RawRequest {
  const base = new URL(target.twin.url).pathname.replace(/\/$/, '');
  const key = target.twin.apiKey;
  const bearer = `Bearer ${target.tokens.b}`;
  const credentials: Record<FuzzCase['auth'], [string, string][]> = {
    b: [
      ['x-api-key', key],
      ['Authorization', bearer],
    ],
    big: [
      ['x-api-key', key],
      ['Authorization', `Bearer ${target.tokens.big}`],
    ],
    none: [],
    'no-key': [['Authorization', bearer]],
    'wrong-key': [
      ['x-api-key', 'x'.repeat(40)],
      ['Authorization', bearer],
    ],
    'bad-token': [
      ['x-api-key', key],
      ['Authorization', `${bearer.slice(0, -6)}AAAAAA`],
    ],
    'lowercase-bearer': [
      ['x-api-key', key],
      ['Authorization', `bearer ${target.tokens.b}`],
    ],
    'two-tokens': [
      ['x-api-key', key],
      ['Authorization', bearer],
      ['Authorization', `Bearer ${target.tokens.a}`],
    ],
  };
  return {
    method: c.method,
    target: `${base}${c.target}`,
    headers: [...credentials[c.auth], ...c.headers],
    ...(c.body === undefined ? {} : { body: c.body }),
  };
}

/** A case in a form that can be pasted into a reproduction: method, target, headers, body (cut at 200 bytes). */
export function describeCase(c: FuzzCase): string {
  const body =
    c.body === undefined
      ? ''
      : ` body(${c.body.length} B)=${JSON.stringify(c.body.subarray(0, 200).toString('latin1'))}`;
  const headers = c.headers.map(
    ([n, v]) => `${n}: ${v.length > 60 ? `${v.slice(0, 60)}...(${v.length})` : v}`,
  );
  const target = c.target.length > 300 ? `${c.target.slice(0, 300)}...(${c.target.length})` : c.target;
  return `${c.method} ${target} auth=${c.auth} [${headers.join(' | ')}]${body}`;
}

/** After the run: a new tenant can still create, get and list. Returns what went wrong, if anything. */
export async function roundTrip(target: FuzzTarget): Promise<string | undefined> {
  try {
    const token = await target.twin.token({ sub: 'carol', tenant: 'tenant-c' });
    const created = await api(target.twin, token, 'POST', '/items', { name: 'after', price: 1 });
    const got = await api(target.twin, token, 'GET', `/items/${created.id}`);
    const list = await api(target.twin, token, 'GET', '/items');
    const ids = (list.items as { id: string }[]).map((i) => i.id);
    if (got.name !== 'after' || !ids.includes(created.id as string))
      return `round trip saw ${excerpt(JSON.stringify(list))}`;
    return undefined;
  } catch (e) {
    return String(e);
  }
}

/** The test process's RSS (it hosts the twin) and the twin's function environments. */
export function memory(target: FuzzTarget): { rssMb: number; heapMb: number; environments: number } {
  const environments = target.twin.lambda.stats().reduce((n, s) => n + s.environments, 0);
  // With --expose-gc (npm run fuzz), the heap figure is what is still reachable, not garbage awaiting a GC.
  (globalThis as { gc?: () => void }).gc?.();
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  return { rssMb: mb(process.memoryUsage().rss), heapMb: mb(process.memoryUsage().heapUsed), environments };
}

/** `FUZZ_SEED` and `FUZZ_RUNS` from the environment, else a fresh seed and `defaultRuns`. */
export function fuzzOptions(defaultRuns: number): { seed: number; runs: number } {
  const seed = Number.parseInt(process.env.FUZZ_SEED ?? '', 10);
  const runs = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10);
  return {
    seed: Number.isSafeInteger(seed) ? seed : Math.floor(Math.random() * 2 ** 31),
    runs: runs > 0 ? runs : defaultRuns,
  };
}
