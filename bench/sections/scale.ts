/**
 * Section 4, scale: p50 of get and list through the twin with a small and a large partition (one tenant,
 * one resource: lists read the deepest partition there is), seeded in bulk with BatchWriteItem straight into
 * the engine using our store's own item records. Phase A is measured with `scaleSmall` items seeded, then the
 * partition is filled up to `scaleLarge` and phase B is measured. Requests are sequential (concurrency 1)
 * and timed one by one with sub-millisecond resolution (autocannon rounds latencies to whole ms).
 * @module
 */
import { Agent, request } from 'node:http';
import { DynamoDB } from '../../src/store/dynamodb';
import { seedItems } from '../lib/fixtures';
import { type BenchOptions, type Check, mdTable, type SectionResult } from '../lib/report';
import { median, round, type Summary, summarize } from '../lib/stats';
import type { BenchTwin } from '../lib/twin-host';

const SCALE_TENANT = 'scale';

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
  readonly tableItems: { readonly small: number; readonly large: number };
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
  const token = await twin.token('bench-user', SCALE_TENANT);
  const headers = { 'x-api-key': twin.apiKey, authorization: `Bearer ${token}` };
  const base = new URL(twin.url);
  const prefix = base.pathname;

  const measure = async (ids: readonly string[]) => {
    const get: number[] = [];
    const list: number[] = [];
    let n = 0;
    // Untimed, as long as a timed run: the first requests of a phase warm the path (new ids, new pages, the
    // engine after bulk writes); without it the first phase is the slower one whatever its size.
    const warmup = Math.max(0.3, opts.scaleSeconds);
    await timedLoop(base, headers, () => `${prefix}/items/${ids[n++ % ids.length]}`, warmup);
    await timedLoop(base, headers, () => `${prefix}/items?limit=25`, warmup);
    for (let run = 0; run < opts.loadRuns; run++) {
      const g = await timedLoop(
        base,
        headers,
        () => `${prefix}/items/${ids[Math.floor(Math.random() * ids.length)]}`,
        opts.scaleSeconds,
      );
      const l = await timedLoop(base, headers, () => `${prefix}/items?limit=25`, opts.scaleSeconds);
      get.push(median(g));
      list.push(median(l));
    }
    return { get, list };
  };

  const smallIds = await seedItems(twin.engineEndpoint, table, SCALE_TENANT, opts.scaleSmall);
  const small = await measure(smallIds);
  const smallTable = await tableItems();
  say(`scale: ${opts.scaleSmall} items measured; seeding up to ${opts.scaleLarge}`);
  const seedStart = performance.now();
  const moreIds = await seedItems(
    twin.engineEndpoint,
    table,
    SCALE_TENANT,
    opts.scaleLarge - opts.scaleSmall,
  );
  const seedSeconds = (performance.now() - seedStart) / 1000;
  say(`scale: seeded ${opts.scaleLarge - opts.scaleSmall} items in ${seedSeconds.toFixed(0)} s`);
  const large = await measure([...smallIds, ...moreIds]);
  const largeTable = await tableItems();

  const pair = (a: number[], b: number[]) => ({
    small: summarize(a),
    large: summarize(b),
    ratio: round(median(b) / median(a), 3),
  });
  const data: ScaleData = {
    small: opts.scaleSmall,
    large: opts.scaleLarge,
    tableItems: { small: smallTable, large: largeTable },
    seedSeconds: round(seedSeconds, 1),
    get: pair(small.get, large.get),
    list: pair(small.list, large.list),
  };
  const s = (x: Summary) => `${x.median.toFixed(2)} (${x.min.toFixed(2)}-${x.max.toFixed(2)})`;
  const markdown = [
    '## 4. Scale',
    '',
    `p50 in ms through the twin, sequential requests for ${opts.scaleSeconds} s per run, ${opts.loadRuns} runs per phase (median of the runs' p50, min-max). One tenant's \`items\` partition seeded with ${opts.scaleSmall.toLocaleString('en-US')} items, then filled up to ${opts.scaleLarge.toLocaleString('en-US')} (${data.seedSeconds} s of BatchWriteItem); the table held ${smallTable.toLocaleString('en-US')} and ${largeTable.toLocaleString('en-US')} items. Gets pick random seeded ids; lists read the first page of the partition.${opts.quick ? ' Quick mode: 1,000 vs 10,000 items (the full run uses 100,000).' : ''}`,
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
