/**
 * Section 4, scale: p50 of get and list through the twin with a small and a large partition (one tenant,
 * one resource each: lists read deep partitions), seeded in bulk with BatchWriteItem straight into the engine
 * using our store's own item records: a `scaleSmall` partition and a `scaleLarge` one in the same table,
 * measured interleaved. Requests are sequential (concurrency 1) and timed one by one with sub-millisecond
 * resolution (autocannon rounds latencies to whole ms).
 * @module
 */
import { Agent, request } from 'node:http';
import { DynamoDB } from '../../src/store/dynamodb';
import { seedItems } from '../lib/fixtures';
import { type BenchOptions, type Check, mdTable, type SectionResult } from '../lib/report';
import { median, round, type Summary, summarize } from '../lib/stats';
import type { BenchTwin } from '../lib/twin-host';

const SMALL_TENANT = 'scale-small';
const LARGE_TENANT = 'scale-large';

/** Sequential requests for `seconds`; resolves with every latency in ms (2xx only; others throw). */
function timedLoop(
  url: URL,
  headers: Record<string, string>,
  path: () => string,
  seconds: number,
): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const one = (p: string) =>
    new Promise<number>((ok, fail) => {
      const t = performance.now();
      const req = request({ host: url.hostname, port: url.port, path: p, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) fail(new Error(`GET ${p}: ${res.statusCode}`));
          else ok(performance.now() - t);
        });
      });
      req.on('error', fail);
      req.end();
    });
  return (async () => {
    const out: number[] = [];
    const end = performance.now() + seconds * 1000;
    try {
      while (performance.now() < end) out.push(await one(path()));
    } finally {
      agent.destroy();
    }
    return out;
  })();
}

export interface ScaleData {
  readonly small: number;
  readonly large: number;
  /** Items in the whole table while both were measured. */
  readonly tableItems: number;
  readonly seedSeconds: number;
  readonly get: { small: Summary; large: Summary; ratio: number };
  readonly list: { small: Summary; large: Summary; ratio: number };
}

export async function scale(
  opts: BenchOptions,
  twin: BenchTwin,
  table: string,
  say: (s: string) => void,
): Promise<SectionResult & { data: ScaleData }> {
  const db = new DynamoDB({
    endpoint: twin.engineEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableItems = async () =>
    (await db.call<{ Table: { ItemCount: number } }>('DescribeTable', { TableName: table })).Table.ItemCount;
  const base = new URL(twin.url);
  const prefix = base.pathname;
  const headersOf = async (tenant: string) => ({
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${await twin.token('bench-user', tenant)}`,
  });

  // Two tenants in the same table: a partition of `scaleSmall` items and one of `scaleLarge`, measured
  // interleaved (small get, large get, small list, large list, ...) so that machine noise hits both alike.
  const smallIds = await seedItems(twin.engineEndpoint, table, SMALL_TENANT, opts.scaleSmall);
  say(`scale: seeded ${opts.scaleSmall} items; seeding ${opts.scaleLarge}`);
  const seedStart = performance.now();
  const largeIds = await seedItems(twin.engineEndpoint, table, LARGE_TENANT, opts.scaleLarge);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  say(`scale: seeded ${opts.scaleLarge} items in ${seedSeconds.toFixed(0)} s`);
  const tableCount = await tableItems();
  const sides = [
    { ids: smallIds, headers: await headersOf(SMALL_TENANT) },
    { ids: largeIds, headers: await headersOf(LARGE_TENANT) },
  ];
  const getPath = (ids: readonly string[]) => () =>
    `${prefix}/items/${ids[Math.floor(Math.random() * ids.length)]}`;
  const listPath = () => `${prefix}/items?limit=25`;
  // Untimed, as long as a timed run: the first requests warm the path (new ids and pages, the authorizer cache).
  const warmup = Math.max(0.3, opts.scaleSeconds);
  for (const side of sides) {
    await timedLoop(base, side.headers, getPath(side.ids), warmup);
    await timedLoop(base, side.headers, listPath, warmup);
  }
  const get: [number[], number[]] = [[], []];
  const list: [number[], number[]] = [[], []];
  for (let run = 0; run < opts.loadRuns; run++) {
    for (const [i, side] of sides.entries())
      get[i as 0 | 1].push(median(await timedLoop(base, side.headers, getPath(side.ids), opts.scaleSeconds)));
    for (const [i, side] of sides.entries())
      list[i as 0 | 1].push(median(await timedLoop(base, side.headers, listPath, opts.scaleSeconds)));
  }
  const small = { get: get[0], list: list[0] };
  const large = { get: get[1], list: list[1] };

  const pair = (a: number[], b: number[]) => ({
    small: summarize(a),
    large: summarize(b),
    ratio: round(median(b) / median(a), 3),
  });
  const data: ScaleData = {
    small: opts.scaleSmall,
    large: opts.scaleLarge,
    tableItems: tableCount,
    seedSeconds: round(seedSeconds, 1),
    get: pair(small.get, large.get),
    list: pair(small.list, large.list),
  };
  const s = (x: Summary) => `${x.median.toFixed(2)} (${x.min.toFixed(2)}-${x.max.toFixed(2)})`;
  const markdown = [
    '## 4. Scale',
    '',
    `p50 in ms through the twin, sequential requests for ${opts.scaleSeconds} s per run, ${opts.loadRuns} runs (median of the runs' p50, min-max). Two tenants' \`items\` partitions, seeded with BatchWriteItem straight into the engine (records built by our own store): ${opts.scaleSmall.toLocaleString('en-US')} items and ${opts.scaleLarge.toLocaleString('en-US')} items (${data.seedSeconds} s), in one table of ${tableCount.toLocaleString('en-US')} items, measured interleaved (small, large, small, ...). Gets pick random seeded ids; lists read the first page of the partition. Both partitions share the table so that they can be measured side by side: a get or a Query touches one partition, whose depth is what grows.${opts.quick ? ' Quick mode: 1,000 vs 10,000 items (the full run uses 100,000).' : ''}`,
    '',
    mdTable(
      [
        'request',
        `p50 at ${opts.scaleSmall.toLocaleString('en-US')}`,
        `p50 at ${opts.scaleLarge.toLocaleString('en-US')}`,
        'ratio',
      ],
      [
        ['get', s(data.get.small), s(data.get.large), data.get.ratio.toFixed(2)],
        ['list (25)', s(data.list.small), s(data.list.large), data.list.ratio.toFixed(2)],
      ],
    ),
  ].join('\n');
  const label = `${opts.scaleLarge / 1000}k / ${opts.scaleSmall / 1000}k items`;
  const checks: Check[] = [
    {
      section: 'scale',
      figure: `get p50, ${label}`,
      target: '<= 1.2',
      measured: `${data.get.ratio.toFixed(2)} (${data.get.small.median.toFixed(2)} -> ${data.get.large.median.toFixed(2)} ms)`,
      met: data.get.ratio <= 1.2,
      ratio: { value: data.get.ratio, limit: 1.2, better: 'lower' },
    },
    {
      section: 'scale',
      figure: `list p50, ${label}`,
      target: '<= 1.2',
      measured: `${data.list.ratio.toFixed(2)} (${data.list.small.median.toFixed(2)} -> ${data.list.large.median.toFixed(2)} ms)`,
      met: data.list.ratio <= 1.2,
      ratio: { value: data.list.ratio, limit: 1.2, better: 'lower' },
    },
  ];
  return { name: 'scale', data, markdown, checks };
}
