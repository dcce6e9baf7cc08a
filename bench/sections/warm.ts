/**
 * Section 2, warm latency and throughput: GET (one item), list (a page of 25), POST and PATCH at concurrency 1
 * and 16 through the twin (real API key and token), each load next to the same load on the machine's upper
 * bound (`bench/upper-bound/server.ts`: a bare `node:http` server making the same DynamoDB calls with our
 * `src/store` client) against the same engine. Loads are interleaved (op, concurrency, twin then upper bound)
 * and the whole set is repeated `loadRuns` times. The twin's RSS (its own process, worker threads included,
 * DynamoDB Local's JVM not) is read before, during (peak, sampled every 200 ms) and after every round.
 *
 * The twin's log records (handler `request` lines and REPORT lines) of every load are kept for sections 3
 * and 5.
 * @module
 */
import { join } from 'node:path';
import autocannon, { type RequestSpec, type Result } from 'autocannon';
import { createItems, itemBody, TENANT } from '../lib/fixtures';
import { BENCH_DIR, spawnTs, stopChild, waitMessage } from '../lib/procs';
import { type BenchOptions, type Check, mdTable, type SectionResult } from '../lib/report';
import { median, round, type Summary, summarize } from '../lib/stats';
import type { ReportRecord, RequestRecord } from '../lib/twin-child';
import type { BenchTwin } from '../lib/twin-host';

export const LOAD_OPS = ['get', 'list', 'create', 'patch'] as const;
export type LoadOp = (typeof LOAD_OPS)[number];
const CONCURRENCY = [1, 16] as const;
const MEMORY_LIMIT_MB = 400;
/** Prices patches set, unique across every load of the run. */
let priceSeq = 0;

export interface Target {
  readonly name: 'twin' | 'upper';
  readonly origin: string;
  /** Path prefix (the twin's stage). */
  readonly base: string;
  readonly headers: Record<string, string>;
}

interface LoadFigures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** One load: `op` on `target` at `connections` for `seconds`. */
export async function load(
  target: Target,
  op: LoadOp,
  connections: number,
  seconds: number,
  ids: readonly string[],
): Promise<LoadFigures> {
  let n = 0;
  const next = () => ids[n++ % ids.length] as string;
  const spec: RequestSpec = {
    setupRequest: (req) => {
      switch (op) {
        case 'get':
          return { ...req, method: 'GET', path: `${target.base}/items/${next()}` };
        case 'list':
          return { ...req, method: 'GET', path: `${target.base}/items?limit=25` };
        case 'create':
          return {
            ...req,
            method: 'POST',
            path: `${target.base}/items`,
            body: JSON.stringify(itemBody(n++)),
          };
        case 'patch':
          return {
            ...req,
            method: 'PATCH',
            path: `${target.base}/items/${next()}`,
            headers: { ...req.headers, 'content-type': 'application/merge-patch+json' },
            // A price never used before: every patch moves the item in gsi1, as section 3's minimum assumes.
            body: JSON.stringify({ price: ++priceSeq }),
          };
      }
    },
  };
  const r: Result = await autocannon({
    url: target.origin,
    connections,
    duration: seconds,
    headers: target.headers,
    requests: [spec],
    timeout: 10,
    // autocannon ends a run on its next sample tick: 100 ms, not the default 1 s, keeps short loads short.
    sampleInt: 100,
  });
  return {
    // Not `requests.average`: that averages 1 s samples, which sub-second (quick) loads do not fill.
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

export interface WarmData {
  readonly upperBound: string;
  readonly runs: number;
  readonly seconds: number;
  readonly loads: readonly {
    readonly op: LoadOp;
    readonly connections: number;
    readonly twin: { rps: Summary; p50: Summary; p99: Summary; non2xx: number; errors: number };
    readonly upper: { rps: Summary; p50: Summary; p99: Summary; non2xx: number; errors: number };
    /** Medians over paired runs: twin / upper. */
    readonly rpsRatio: number;
    readonly p99Ratio: number;
  }[];
  readonly memoryMb: {
    readonly start: number;
    readonly afterWarmup: number;
    /** Peak while each round ran, and after each round. */
    readonly rounds: readonly { peak: number; after: number }[];
    readonly growthAcrossRounds: number;
  };
}

export interface WarmResult extends SectionResult {
  readonly data: WarmData;
  readonly requests: RequestRecord[];
  /** REPORT records of loads at concurrency 1 (no queueing), and of all loads. */
  readonly reportsC1: ReportRecord[];
}

/** The pool of items, both targets and the upper bound's process, after the warm-up. */
export interface LoadContext {
  readonly targets: readonly Target[];
  readonly ids: readonly string[];
  readonly upperOrigin: string;
  readonly memStart: number;
  readonly memAfterWarmup: number;
  readonly warmupSeconds: number;
  stopUpper(): Promise<void>;
}

/**
 * Creates the pool of items, starts the upper bound, and warms everything up: the engine's JVM (and both
 * servers) run every kind of load for `warmupSeconds` before anything is timed.
 */
export async function prepareLoads(opts: BenchOptions, twin: BenchTwin, table: string): Promise<LoadContext> {
  const memStart = twin.rss();
  const token = await twin.token('bench-user', TENANT);
  const headers = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  const ids = await createItems(twin.url, headers, 64);
  const upperChild = spawnTs(join(BENCH_DIR, 'upper-bound', 'server.ts'), [], {
    BENCH_ENDPOINT: twin.engineEndpoint,
    BENCH_TABLE: table,
    BENCH_TENANT: TENANT,
  });
  try {
    const { port } = await waitMessage<{ port: number }>(upperChild, 'ready', 60_000);
    const upperOrigin = `http://127.0.0.1:${port}`;
    const targets: Target[] = [
      { name: 'twin', origin: twin.origin, base: new URL(twin.url).pathname, headers },
      { name: 'upper', origin: upperOrigin, base: '', headers: { 'content-type': 'application/json' } },
    ];
    const slice = Math.max(0.3, opts.warmupSeconds / (LOAD_OPS.length * targets.length));
    for (const op of LOAD_OPS) {
      for (const t of targets) {
        const f = await load(t, op, 16, slice, ids);
        if (f.non2xx + f.errors > 0)
          throw new Error(
            `warm-up: ${op} on ${t.name} had ${f.non2xx} non-2xx answers and ${f.errors} errors`,
          );
      }
    }
    await twin.drain();
    return {
      targets,
      ids,
      upperOrigin,
      memStart,
      memAfterWarmup: twin.rss(),
      warmupSeconds: opts.warmupSeconds,
      stopUpper: () => stopChild(upperChild),
    };
  } catch (e) {
    await stopChild(upperChild);
    throw e;
  }
}

export async function warmLoads(opts: BenchOptions, twin: BenchTwin, ctx: LoadContext): Promise<WarmResult> {
  const { targets, ids, memStart, memAfterWarmup } = ctx;
  type Key = `${LoadOp}/${number}/${'twin' | 'upper'}`;
  const figures = new Map<Key, LoadFigures[]>();
  const requests: RequestRecord[] = [];
  const reportsC1: ReportRecord[] = [];
  const rounds: { peak: number; after: number }[] = [];
  for (let run = 0; run < opts.loadRuns; run++) {
    let peak = twin.rss();
    const sampler = setInterval(() => {
      peak = Math.max(peak, twin.rss());
    }, 200);
    try {
      for (const op of LOAD_OPS) {
        for (const c of CONCURRENCY) {
          for (const t of targets) {
            const f = await load(t, op, c, opts.loadSeconds, ids);
            const k: Key = `${op}/${c}/${t.name}`;
            figures.set(k, [...(figures.get(k) ?? []), f]);
            if (t.name === 'twin') {
              const logs = await twin.drain();
              requests.push(...logs.requests);
              if (c === 1) reportsC1.push(...logs.reports.filter((r) => r.initMs === undefined));
            }
          }
        }
      }
    } finally {
      clearInterval(sampler);
    }
    rounds.push({ peak: round(peak, 1), after: round(twin.rss(), 1) });
  }

  const loads = LOAD_OPS.flatMap((op) =>
    CONCURRENCY.map((c) => {
      const tw = figures.get(`${op}/${c}/twin`) ?? [];
      const up = figures.get(`${op}/${c}/upper`) ?? [];
      const side = (fs: LoadFigures[]) => ({
        rps: summarize(fs.map((f) => f.rps)),
        p50: summarize(fs.map((f) => f.p50)),
        p99: summarize(fs.map((f) => f.p99)),
        non2xx: fs.reduce((a, f) => a + f.non2xx, 0),
        errors: fs.reduce((a, f) => a + f.errors, 0),
      });
      return {
        op,
        connections: c,
        twin: side(tw),
        upper: side(up),
        rpsRatio: round(median(tw.map((f, i) => f.rps / (up[i] as LoadFigures).rps)), 3),
        p99Ratio: round(median(tw.map((f, i) => f.p99 / (up[i] as LoadFigures).p99)), 3),
      };
    }),
  );
  const first = rounds[0]?.after ?? 0;
  const last = rounds[rounds.length - 1]?.after ?? 0;
  const data: WarmData = {
    upperBound: 'bare node:http server, DynamoItemRepo over our src/store/dynamodb.ts client, same engine',
    runs: opts.loadRuns,
    seconds: opts.loadSeconds,
    loads,
    memoryMb: {
      start: round(memStart, 1),
      afterWarmup: round(memAfterWarmup, 1),
      rounds,
      growthAcrossRounds: round(last - first, 1),
    },
  };

  const s = (x: Summary, d = 0) => `${x.median.toFixed(d)} (${x.min.toFixed(d)}-${x.max.toFixed(d)})`;
  const markdown = [
    '## 2. Warm latency and throughput',
    '',
    `Through the twin (API key, JWT, gateway, authorizer cache, Lambda runtime) next to the upper bound (${data.upperBound}). ${opts.loadRuns} runs of ${opts.loadSeconds} s each, after ${ctx.warmupSeconds} s of warm-up; median (min-max).`,
    '',
    mdTable(
      [
        'load',
        'conc',
        'twin req/s',
        'upper req/s',
        'ratio',
        'twin p50 ms',
        'upper p50 ms',
        'twin p99 ms',
        'upper p99 ms',
        'p99 ratio',
        'non-2xx / errors (twin, upper)',
      ],
      loads.map((l) => [
        l.op,
        l.connections,
        s(l.twin.rps),
        s(l.upper.rps),
        l.rpsRatio.toFixed(2),
        s(l.twin.p50, 1),
        s(l.upper.p50, 1),
        s(l.twin.p99, 1),
        s(l.upper.p99, 1),
        l.p99Ratio.toFixed(2),
        `${l.twin.non2xx}/${l.twin.errors}, ${l.upper.non2xx}/${l.upper.errors}`,
      ]),
    ),
    '',
    `Twin RSS (MB): ${data.memoryMb.start} at start, ${data.memoryMb.afterWarmup} after warm-up; per round peak/after: ${rounds.map((r) => `${r.peak}/${r.after}`).join(', ')}; growth from the first round to the last: ${data.memoryMb.growthAcrossRounds} MB.`,
    '',
    '- The twin runs at most 2 environments per function (no reserved concurrency): at 16 connections requests queue in the twin, as they would behind a concurrency limit.',
    '- Both servers, autocannon and DynamoDB Local share the same 2 cores: the ratio is what counts, not the absolute figures.',
    '- autocannon records latencies in whole milliseconds: a p50 of 0 means under 1 ms (section 4 times requests with sub-millisecond resolution).',
  ].join('\n');

  const get16 = loads.find((l) => l.op === 'get' && l.connections === 16);
  const peak = Math.max(...rounds.map((r) => r.peak));
  const growthOk = data.memoryMb.growthAcrossRounds <= Math.max(0.05 * first, 20);
  const checks: Check[] = [
    {
      section: 'warm',
      figure: 'GET c16 throughput, twin / upper bound',
      target: '>= 0.6 (aim 0.8)',
      measured: `${get16?.rpsRatio.toFixed(2)} (${get16?.twin.rps.median.toFixed(0)} vs ${get16?.upper.rps.median.toFixed(0)} req/s)`,
      met: (get16?.rpsRatio ?? 0) >= 0.6,
      ratio: { value: get16?.rpsRatio ?? 0, limit: 0.6, better: 'higher' },
    },
    {
      section: 'warm',
      figure: 'GET c16 p99, twin / upper bound',
      target: '< 3',
      measured: `${get16?.p99Ratio.toFixed(2)} (${get16?.twin.p99.median.toFixed(0)} vs ${get16?.upper.p99.median.toFixed(0)} ms)`,
      met: (get16?.p99Ratio ?? Number.POSITIVE_INFINITY) < 3,
      ratio: { value: get16?.p99Ratio ?? 0, limit: 3, better: 'lower' },
    },
    {
      section: 'warm',
      figure: 'twin RSS, peak',
      target: `< ${MEMORY_LIMIT_MB} MB`,
      measured: `${peak.toFixed(0)} MB`,
      met: peak < MEMORY_LIMIT_MB,
      ratio: { value: peak / MEMORY_LIMIT_MB, limit: 1, better: 'lower' },
    },
    {
      section: 'warm',
      figure: 'twin RSS growth across rounds (after warm-up)',
      target: '<= max(5 %, 20 MB)',
      measured: `${data.memoryMb.growthAcrossRounds >= 0 ? '+' : ''}${data.memoryMb.growthAcrossRounds} MB (${rounds.map((r) => r.after.toFixed(0)).join(' -> ')})`,
      met: growthOk,
    },
    {
      section: 'warm',
      figure: 'failed requests in the loads (non-2xx, errors)',
      target: '0',
      measured: String(
        loads.reduce((a, l) => a + l.twin.non2xx + l.twin.errors + l.upper.non2xx + l.upper.errors, 0),
      ),
      met: loads.every((l) => l.twin.non2xx + l.twin.errors + l.upper.non2xx + l.upper.errors === 0),
    },
  ];
  return {
    name: 'warm',
    data,
    markdown,
    checks,
    requests,
    reportsC1,
  };
}
