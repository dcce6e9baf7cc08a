/**
 * `npm run bench:cpu`: where the CPU of one GET goes. Runs GET at concurrency 16 through the twin and through the
 * upper bound (as section 2 does), and reads from `/proc` the CPU time that each process and thread spent
 * during each load: DynamoDB Local's JVM, the twin's gateway thread (its main thread, which also runs the IAM
 * proxy and the stream pollers), the twin's other threads (Lambda environments, V8 helper threads), the upper
 * bound's server and the load generator (this process). Printed as CPU milliseconds per request; on a machine
 * whose cores are all busy, throughput is the number of cores divided by the sum of a row.
 *
 * Not part of `npm run bench`: it explains a figure, it is not one. Linux only (`/proc`).
 * @module
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStack } from '../local/assembly/index';
import { parseCommandLine } from '../local/cli-args';
import { QUICK } from './lib/report';
import { startBenchTwin } from './lib/twin-host';
import { load, prepareLoads, type Target } from './sections/warm';

parseCommandLine(
  `usage: npm run bench:cpu

Splits the CPU time of one GET between DynamoDB Local, the twin's threads and the load generator.
Environment: CPU_SPLIT_SECONDS (default 6), CPU_SPLIT_RUNS (default 3).

  -h, --help  this text`,
  {},
);
const TICKS_PER_SECOND = 100;
const SECONDS = Number(process.env.CPU_SPLIT_SECONDS ?? 6);
const RUNS = Number(process.env.CPU_SPLIT_RUNS ?? 3);

/** CPU seconds of every thread of `pid`, by thread id. */
function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

function javaPid(): number {
  const out = execFileSync('pgrep', ['-n', '-f', 'DynamoDBLocal'], { encoding: 'utf8' }).trim();
  return Number(out.split('\n')[0]);
}

interface Split {
  readonly rps: number;
  readonly parts: Record<string, number>;
}

async function measure(target: Target, ids: readonly string[], pids: Record<string, number>): Promise<Split> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, threadCpu(pid)]));
  const self0 = process.cpuUsage();
  const started = performance.now();
  const f = await load(target, 'get', 16, SECONDS, ids);
  const wall = (performance.now() - started) / 1000;
  const self = process.cpuUsage(self0);
  const requests = f.rps * wall;
  const perReq = (seconds: number) => (seconds * 1000) / requests;
  const parts: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const after = threadCpu(pid);
    const b = before[name] as Map<number, number>;
    if (name === 'twin') {
      const main = (after.get(pid) ?? 0) - (b.get(pid) ?? 0);
      parts['twin: gateway thread'] = perReq(main);
      parts['twin: other threads'] = perReq(sum(after) - sum(b) - main);
    } else parts[name] = perReq(sum(after) - sum(b));
  }
  parts['load generator'] = perReq((self.user + self.system) / 1e6);
  return { rps: f.rps, parts };
}

// Of an even count, the mean of the middle two: with 2 runs, picking one side paired the larger rate with the
// larger CPU figures from the other run.
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return (s.length % 2 ? s[m] : ((s[m - 1] as number) + (s[m] as number)) / 2) as number;
};

const dataDir = mkdtempSync(join(tmpdir(), 'crud-cpu-'));
const twin = await startBenchTwin(dataDir);
let stopUpper: (() => Promise<void>) | undefined;
try {
  const specs = loadStack({ assemblyDir: join(dataDir, 'cdk.out'), dataDir }).functions();
  const table = specs.find((s) => s.environment.TABLE_NAME)?.environment.TABLE_NAME as string;
  const ctx = await prepareLoads({ ...QUICK, warmupSeconds: 20 }, twin, table);
  stopUpper = ctx.stopUpper;
  const upperPid = Number(
    execFileSync('pgrep', ['-n', '-f', 'upper-bound/server.ts'], { encoding: 'utf8' }).trim(),
  );
  const jvm = javaPid();
  const rows = new Map<string, Split[]>();
  for (let i = 0; i < RUNS; i++) {
    for (const target of ctx.targets) {
      const pids: Record<string, number> =
        target.name === 'twin'
          ? { 'DynamoDB Local': jvm, twin: twin.pid }
          : { 'DynamoDB Local': jvm, 'upper-bound server': upperPid };
      const split = await measure(target, ctx.ids, pids);
      rows.set(target.name, [...(rows.get(target.name) ?? []), split]);
    }
  }
  console.log(`GET at concurrency 16, ${RUNS} runs of ${SECONDS} s each, medians; CPU ms per request:\n`);
  for (const [name, splits] of rows) {
    const keys = Object.keys(splits[0]?.parts ?? {});
    const med = Object.fromEntries(keys.map((k) => [k, median(splits.map((s) => s.parts[k] as number))]));
    const total = Object.values(med).reduce((a, b) => a + b, 0);
    console.log(
      `${name}: ${median(splits.map((s) => s.rps)).toFixed(0)} req/s, ${total.toFixed(2)} ms of CPU per request`,
    );
    for (const [k, v] of Object.entries(med)) console.log(`  ${k.padEnd(24)} ${v.toFixed(3)}`);
  }
} finally {
  await stopUpper?.().catch(() => {});
  await twin.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
