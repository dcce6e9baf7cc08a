/**
 * Section 1, cold start: each function's minified bundle size, and its cold init in a fresh process (module
 * load plus the first invocation against the running engine) next to `node -e ""` (the floor) and to the
 * reference handler (SDK v3 `DynamoDBDocumentClient` + `GetCommand`). Runs are interleaved (floor, ours...,
 * reference, floor, ...) so that noise hits all alike; overheads are per-run differences from the floor.
 *
 * It also measures warm handler durations of ours and the reference, in the same harness, for section 5.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStack } from '../../local/assembly/index';
import type { FunctionSpec } from '../../local/types';
import { bundleLikeTheStack } from '../lib/bundle';
import {
  authorizerEvent,
  createItems,
  DUMMY_AWS,
  itemBody,
  itemRecord,
  proxyEvent,
  storedItem,
  streamEvent,
  TENANT,
} from '../lib/fixtures';
import { BENCH_DIR } from '../lib/procs';
import { type BenchOptions, type Check, mdTable, type SectionResult } from '../lib/report';
import { median, round, type Summary, summarize } from '../lib/stats';
import type { BenchTwin } from '../lib/twin-host';

const DRIVER = join(BENCH_DIR, 'coldstart', 'invoke.mjs');
const MAX_BUNDLE_KB = 150;
/** Operations the reference implements, and so those with warm durations on both sides. */
export const REFERENCE_OPS = ['get', 'list', 'create', 'patch'] as const;
export type ReferenceOp = (typeof REFERENCE_OPS)[number];

interface Runnable {
  readonly name: string;
  readonly bundle?: string;
  readonly env: Record<string, string>;
  /** Events, one per run (cycled); written to a file per run. */
  readonly events: (run: number) => unknown[];
  readonly expect: readonly (string | number)[];
}

interface RunOutput {
  readonly wallMs: number;
  readonly loadMs?: number;
  readonly firstMs?: number;
  readonly status?: string | number;
  readonly warmMs?: number[];
}

function runOnce(r: Runnable, eventsFile: string, warm = 0): Promise<RunOutput> {
  const args = r.bundle ? [DRIVER, r.bundle, eventsFile, String(warm)] : ['-e', ''];
  return new Promise((ok, fail) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...r.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b;
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - start;
      if (!r.bundle) return ok({ wallMs });
      const line = out.split('\n').find((l) => l.startsWith('@@bench '));
      if (code !== 0 || !line) return fail(new Error(`${r.name}: exit ${code}\n${err.slice(-2000)}`));
      ok({ wallMs, ...JSON.parse(line.slice(8)) });
    });
  });
}

function sizeKb(file: string): number {
  return statSync(file).size / 1024;
}

const OPS_OF: Record<string, string> = {
  CreateFunction: 'create',
  GetFunction: 'get',
  ListFunction: 'list',
  ReplaceFunction: 'replace',
  PatchFunction: 'patch',
  DeleteFunction: 'delete',
  HistoryFunction: 'history',
  AuthorizerFunction: 'authorizer',
  HistoryConsumerFunction: 'history-consumer',
};

export interface ColdStartData {
  readonly runs: number;
  readonly floorMs: Summary;
  readonly functions: readonly {
    readonly function: string;
    readonly logicalId: string;
    readonly bundleKb: number;
    readonly wallMs: Summary;
    readonly overheadMs: Summary;
    readonly loadMs: Summary;
    readonly firstInvokeMs: Summary;
    /** Our overhead over the reference's (median over paired runs). */
    readonly ratioToReference: number;
  }[];
  readonly reference: {
    readonly bundleKb: number;
    readonly wallMs: Summary;
    readonly overheadMs: Summary;
    readonly loadMs: Summary;
    readonly firstInvokeMs: Summary;
  };
  /** The get bundle run without `NODE_OPTIONS=--enable-source-maps`. */
  readonly getWithoutSourceMaps?: { wallMs: Summary; overheadMs: Summary; ratioToReference: number };
  /** Warm handler durations (ms) in the same harness, for section 5. */
  readonly warm: Record<ReferenceOp, { ours: Summary; reference: Summary }>;
  readonly notes: readonly string[];
}

export async function coldStart(
  opts: BenchOptions,
  twin: BenchTwin,
  dataDir: string,
): Promise<SectionResult & { data: ColdStartData }> {
  const work = join(dataDir, 'bench-cold');
  mkdirSync(work, { recursive: true });
  const { functions } = loadStack({ assemblyDir: join(dataDir, 'cdk.out'), dataDir });
  const specs = functions();
  const token = await twin.token('bench-user', TENANT);
  const headers = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  const [itemId, ...rest] = await createItems(twin.url, headers, 1 + opts.coldRuns + 2 + 8);
  const forDelete = rest.slice(0, opts.coldRuns + 2);
  const forWarm = rest.slice(opts.coldRuns + 2);
  const historied = storedItem(1);
  const record = await itemRecord(TENANT, historied);
  const table = specs.find((s) => s.environment.TABLE_NAME)?.environment.TABLE_NAME as string;

  const awsEnv = { ...DUMMY_AWS, AWS_ENDPOINT_URL_DYNAMODB: twin.engineEndpoint };
  const item = (method: string, id: string, body?: unknown, contentType?: string) =>
    proxyEvent({ method, resource: '/items/{id}', path: `/items/${id}`, id, body, contentType });
  const eventsFor = (op: string): ((run: number) => unknown[]) => {
    switch (op) {
      case 'get':
        return () => [item('GET', itemId as string), ...forWarm.map((id) => item('GET', id))];
      case 'list':
        return () => [
          proxyEvent({ method: 'GET', resource: '/items', path: '/items', query: { limit: '25' } }),
        ];
      case 'create':
        return (run) =>
          Array.from({ length: 4 }, (_, k) =>
            proxyEvent({ method: 'POST', resource: '/items', path: '/items', body: itemBody(run * 4 + k) }),
          );
      case 'replace':
        return (run) => [item('PUT', itemId as string, itemBody(run))];
      case 'patch':
        return (run) => [
          item('PATCH', itemId as string, { price: run + 1 }, 'application/merge-patch+json'),
          ...forWarm.map((id, k) => item('PATCH', id, { price: run + k }, 'application/merge-patch+json')),
        ];
      case 'delete':
        return (run) => [item('DELETE', forDelete[run] as string)];
      case 'history':
        return () => [
          proxyEvent({
            method: 'GET',
            resource: '/items/{id}/history',
            path: `/items/${historied.id}/history`,
            id: historied.id,
          }),
        ];
      case 'authorizer':
        return () => [authorizerEvent(token)];
      case 'history-consumer':
        return () => [streamEvent(record)];
      default:
        throw new Error(`no event for ${op}`);
    }
  };
  const expectFor: Record<string, (string | number)[]> = {
    get: [200],
    list: [200],
    create: [201],
    replace: [200],
    patch: [200],
    delete: [204],
    history: [200],
    authorizer: ['Allow'],
    'history-consumer': ['ok'],
  };

  const ours: (Runnable & { spec: FunctionSpec; op: string })[] = specs
    .filter((s) => s.codeDir && OPS_OF[s.logicalId])
    .map((spec) => {
      const op = OPS_OF[spec.logicalId] as string;
      return {
        name: op,
        op,
        spec,
        bundle: join(spec.codeDir as string, 'index.mjs'),
        // The function's own variables as deployed (incl. NODE_OPTIONS), plus what Lambda and the twin add.
        env: { ...spec.environment, ...awsEnv },
        events: eventsFor(op),
        expect: expectFor[op] ?? [200],
      };
    });

  const refDir = join(work, 'reference');
  const refBundles = Object.fromEntries(
    await Promise.all(
      REFERENCE_OPS.map(async (op) => {
        const b = await bundleLikeTheStack(join(BENCH_DIR, 'reference', `${op}.ts`), join(refDir, op));
        return [op, b.file] as const;
      }),
    ),
  ) as Record<ReferenceOp, string>;
  const reference: Runnable = {
    name: 'reference get',
    bundle: refBundles.get,
    // On Node 20 the SDK warns that it will soon need Node 22; on Lambda's nodejs24.x it would not.
    env: { TABLE_NAME: table, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...awsEnv },
    events: eventsFor('get'),
    expect: [200],
  };
  const floor: Runnable = { name: 'floor', env: {}, events: () => [], expect: [] };
  // The same get bundle without NODE_OPTIONS=--enable-source-maps (as stage prod deploys it): what source maps cost.
  const getOurs = ours.find((r) => r.op === 'get');
  const getNoMaps: Runnable | undefined = getOurs && {
    ...getOurs,
    name: 'get without source maps',
    env: Object.fromEntries(Object.entries(getOurs.env).filter(([k]) => k !== 'NODE_OPTIONS')),
  };

  const eventsFile = (r: Runnable, run: number) => {
    const f = join(work, `${r.name.replace(/\W+/g, '-')}-${run}.json`);
    writeFileSync(f, JSON.stringify(r.events(run)));
    return f;
  };
  const check = (r: Runnable, o: RunOutput) => {
    if (r.bundle && !r.expect.includes(o.status as string | number))
      throw new Error(`${r.name}: cold invocation answered ${o.status}, expected ${r.expect.join(' or ')}`);
  };

  // The history function needs an entry to read: the consumer writes it (the twin may run no stream poller).
  const consumer = ours.find((r) => r.op === 'history-consumer');
  if (consumer) check(consumer, await runOnce(consumer, eventsFile(consumer, opts.coldRuns)));
  // One untimed pass: the page cache holds every file afterwards, as it would for each timed run.
  const all = [floor, ...ours, ...(getNoMaps ? [getNoMaps] : []), reference];
  // (Quick mode skips it: the median of its runs absorbs one cold-cache run.)
  if (!opts.quick) for (const r of all) check(r, await runOnce(r, eventsFile(r, opts.coldRuns)));
  const outputs = new Map<Runnable, RunOutput[]>(all.map((r) => [r, []]));
  for (let run = 0; run < opts.coldRuns; run++) {
    for (const r of all) {
      const o = await runOnce(r, eventsFile(r, run));
      check(r, o);
      outputs.get(r)?.push(o);
    }
  }
  const floorWall = (outputs.get(floor) ?? []).map((o) => o.wallMs);
  const describe = (r: Runnable) => {
    const os = outputs.get(r) ?? [];
    const overhead = os.map((o, i) => o.wallMs - (floorWall[i] as number));
    return {
      bundleKb: round(sizeKb(r.bundle as string), 1),
      wallMs: summarize(os.map((o) => o.wallMs)),
      overheadMs: summarize(overhead),
      loadMs: summarize(os.map((o) => o.loadMs ?? 0)),
      firstInvokeMs: summarize(os.map((o) => o.firstMs ?? 0)),
      overheads: overhead,
    };
  };
  const ref = describe(reference);
  const fns = ours.map((r) => {
    const d = describe(r);
    const ratios = d.overheads.map((o, i) => o / (ref.overheads[i] as number));
    const { overheads: _, ...rest } = d;
    return {
      function: r.op,
      logicalId: r.spec.logicalId,
      ...rest,
      ratioToReference: round(median(ratios), 3),
    };
  });
  const { overheads: _o, ...refData } = ref;
  const noMaps = getNoMaps && describe(getNoMaps);
  const noMapsRatio = noMaps
    ? round(median(noMaps.overheads.map((o, i) => o / (ref.overheads[i] as number))), 3)
    : Number.NaN;

  // Warm durations, ours and the reference side by side, for the cost section.
  const warm = {} as ColdStartData['warm'];
  for (const op of REFERENCE_OPS) {
    const o = ours.find((r) => r.op === op);
    if (!o) throw new Error(`no function for ${op}`);
    const refR: Runnable = { ...reference, name: `reference ${op}`, bundle: refBundles[op] };
    const oursRuns: number[] = [];
    const refRuns: number[] = [];
    for (let run = 0; run < Math.max(3, Math.ceil(opts.loadRuns)); run++) {
      const a = await runOnce(o, eventsFile(o, 100 + run), opts.warmInvocations);
      const b = await runOnce(refR, eventsFile(refR, 100 + run), opts.warmInvocations);
      oursRuns.push(median(a.warmMs ?? []));
      refRuns.push(median(b.warmMs ?? []));
    }
    warm[op] = { ours: summarize(oursRuns), reference: summarize(refRuns) };
  }

  const notes = [
    'Wall time from spawn to exit of a fresh `node` process that imports the bundle and invokes its handler once (bench/coldstart/invoke.mjs); overhead = wall minus the same run\'s `node -e ""`.',
    'Our functions run with their deployed variables, including `NODE_OPTIONS=--enable-source-maps` (stage dev; prod ships no source maps); the reference has none.',
    `Interleaved: floor, each function, reference; ${opts.coldRuns} runs${opts.quick ? '' : ' after one untimed pass (page cache warm, as for every timed run)'}.`,
  ];
  const data: ColdStartData = {
    runs: opts.coldRuns,
    floorMs: summarize(floorWall),
    functions: fns,
    reference: refData,
    getWithoutSourceMaps: noMaps
      ? { wallMs: noMaps.wallMs, overheadMs: noMaps.overheadMs, ratioToReference: noMapsRatio }
      : undefined,
    warm,
    notes,
  };

  const ms = (s: Summary) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}-${s.max.toFixed(1)})`;
  const markdown = [
    '## 1. Cold start',
    '',
    mdTable(
      [
        'function',
        'bundle KB',
        'wall ms',
        'overhead over floor ms',
        'load ms',
        'first invoke ms',
        'overhead / reference',
      ],
      [
        ['floor (`node -e ""`)', '-', ms(data.floorMs), '0', '-', '-', '-'],
        ...fns.map((f) => [
          f.function,
          f.bundleKb,
          ms(f.wallMs),
          ms(f.overheadMs),
          ms(f.loadMs),
          ms(f.firstInvokeMs),
          f.ratioToReference.toFixed(2),
        ]),
        [
          'reference get (SDK v3)',
          refData.bundleKb,
          ms(refData.wallMs),
          ms(refData.overheadMs),
          ms(refData.loadMs),
          ms(refData.firstInvokeMs),
          '1.00',
        ],
      ],
    ),
    '',
    "Median (min-max) of the runs. Warm handler durations in the same harness (median of each process's median):",
    '',
    mdTable(
      ['operation', 'ours ms', 'reference ms'],
      REFERENCE_OPS.map((op) => [op, ms(warm[op].ours), ms(warm[op].reference)]),
    ),
    '',
    ...notes.map((n) => `- ${n}`),
  ].join('\n');

  const get = fns.find((f) => f.function === 'get');
  const worst = [...fns].sort((a, b) => b.ratioToReference - a.ratioToReference)[0];
  const biggest = [...fns].sort((a, b) => b.bundleKb - a.bundleKb)[0];
  const checks: Check[] = [
    {
      section: 'cold start',
      figure: 'init overhead, get / reference get',
      target: '<= 0.25',
      measured: `${get?.ratioToReference.toFixed(2)} (${get?.overheadMs.median.toFixed(0)} ms vs ${refData.overheadMs.median.toFixed(0)} ms)`,
      met: (get?.ratioToReference ?? 1) <= 0.25,
      ratio: { value: get?.ratioToReference ?? 1, limit: 0.25, better: 'lower' },
    },
    {
      section: 'cold start',
      figure: 'init overhead, get without source maps (prod) / reference get',
      target: '<= 0.25',
      measured: `${noMapsRatio.toFixed(2)} (${noMaps?.overheadMs.median.toFixed(0)} ms)`,
      met: noMapsRatio <= 0.25,
      ratio: { value: noMapsRatio, limit: 0.25, better: 'lower' },
    },
    {
      section: 'cold start',
      figure: `init overhead, worst function (${worst?.function}) / reference`,
      target: '<= 0.25',
      measured: `${worst?.ratioToReference.toFixed(2)} (${worst?.overheadMs.median.toFixed(0)} ms)`,
      met: (worst?.ratioToReference ?? 1) <= 0.25,
    },
    {
      section: 'cold start',
      figure: `largest bundle (${biggest?.function})`,
      target: `<= ${MAX_BUNDLE_KB} KB`,
      measured: `${biggest?.bundleKb} KB (reference ${refData.bundleKb} KB)`,
      met: (biggest?.bundleKb ?? Number.POSITIVE_INFINITY) <= MAX_BUNDLE_KB,
      ratio: { value: (biggest?.bundleKb ?? 0) / MAX_BUNDLE_KB, limit: 1, better: 'lower' },
    },
  ];
  return { name: 'coldStart', data, markdown, checks };
}
