/**
 * `npm run bench [-- --quick]`: every section in one run against one twin, then `bench/results/latest.{json,md,svg}`
 * (`quick.*` with `--quick`, so CI never dirties the committed results) and the final table on stdout.
 *
 * Order: the twin starts (child process) -> warm-up (every load on the twin and the upper bound) -> cold starts
 * (the twin idle, its engine warm) -> scale (bulk seeding, two partitions
 * side by side) -> warm loads, twin next to the upper bound -> capacity per operation -> costs from what was measured. Every process started is stopped at the end, on failure too.
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStack } from '../local/assembly/index';
import { parseCommandLine } from '../local/cli-args';
import { barChart } from './lib/chart';
import { BENCH_DIR } from './lib/procs';
import { type BenchOptions, FULL, mdTable, metText, QUICK, type SectionResult } from './lib/report';
import { startBenchTwin } from './lib/twin-host';
import { capacity } from './sections/capacity';
import { coldStart } from './sections/coldstart';
import { costs } from './sections/cost';
import { scale } from './sections/scale';
import { prepareLoads, warmLoads } from './sections/warm';

const { values } = parseCommandLine(
  `usage: npm run bench [-- --quick]

Runs every benchmark section against one twin (several minutes; --quick for a short run that writes
bench/results/quick.* instead of latest.*).

options:
  --quick      the short run
  -h, --help   print this and exit`,
  { quick: { type: 'boolean', default: false } },
);
const quick = values.quick;
const opts: BenchOptions = quick ? QUICK : FULL;
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const say = (s: string) => console.log(`[bench ${elapsed()}] ${s}`);

const dataDir = mkdtempSync(join(tmpdir(), 'crud-bench-'));
say(`${quick ? 'quick' : 'full'} run; starting the twin (data in ${dataDir})`);
const twin = await startBenchTwin(dataDir);
const sections: SectionResult[] = [];
let failure: unknown;
let stopUpper: (() => Promise<void>) | undefined;
try {
  const specs = loadStack({ assemblyDir: join(dataDir, 'cdk.out'), dataDir }).functions();
  const table = specs.find((s) => s.environment.TABLE_NAME)?.environment.TABLE_NAME as string;
  const memoryMb = specs.find((s) => s.logicalId === 'GetFunction')?.memoryMb ?? 256;
  say(`twin at ${twin.url}; warm-up (${opts.warmupSeconds} s of load on the engine and both servers)`);
  const ctx = await prepareLoads(opts, twin, table);
  stopUpper = ctx.stopUpper;
  say('1/5 cold start');
  const cold = await coldStart(opts, twin, dataDir);
  sections.push(cold);
  say('2/5 scale');
  const scaled = await scale(opts, twin, table, (s) => say(s));
  say('3/5 warm loads');
  const warm = await warmLoads(opts, twin, ctx);
  sections.push(warm);
  say('4/5 capacity');
  const cap = await capacity(twin, warm.requests, ctx.ids, table);
  sections.push(cap, scaled);
  say('5/5 costs');
  sections.push(costs({ memoryMb, reports: warm.reportsC1, capacity: cap.data, warm: cold.data.warm }));
} catch (e) {
  failure = e;
} finally {
  await stopUpper?.().catch(() => {});
  await twin.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
if (failure) {
  console.error(failure);
  process.exit(1);
}

const checks = sections.flatMap((s) => s.checks);
const name = quick ? 'quick' : 'latest';
const outDir = join(BENCH_DIR, 'results');
mkdirSync(outDir, { recursive: true });
const when = new Date().toISOString();
const machine = `Node ${process.versions.node}, ${(await import('node:os')).cpus().length} cores, ${process.platform}`;
const summaryTable = mdTable(
  ['section', 'figure', 'target', 'measured', 'met'],
  checks.map((c) => [c.section, c.figure, c.target, c.measured, metText(c.met)]),
);
const md = [
  `# Benchmark results (${quick ? 'quick' : 'full'} run)`,
  '',
  `${when}, ${machine}, \`npm run bench${quick ? ' -- --quick' : ''}\`, ${elapsed()}. Every figure is measured side by side in this one run; loads repeated ${opts.loadRuns} times (median, min-max).`,
  '',
  summaryTable,
  '',
  ...sections.map((s) => `${s.markdown}\n`),
].join('\n');
writeFileSync(join(outDir, `${name}.md`), md);
writeFileSync(
  join(outDir, `${name}.json`),
  `${JSON.stringify({ when, machine, quick, options: opts, checks, sections: Object.fromEntries(sections.map((s) => [s.name, s.data])) }, null, 2)}\n`,
);
writeFileSync(
  join(outDir, `${name}.svg`),
  barChart(checks, `crud-api bench, ${when.slice(0, 10)}${quick ? ' (quick)' : ''}`),
);
console.log(`\n${summaryTable}\n`);
const unmet = checks.filter((c) => c.met === false).length;
say(`wrote bench/results/${name}.{json,md,svg}; ${checks.length - unmet} of ${checks.length} checks met`);
