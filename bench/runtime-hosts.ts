/**
 * What hosting a function's environments in a child process of another Node costs, next to the twin's own
 * worker threads: the first invocation (a cold start: a fresh runtime each time, so a child host pays its
 * process start too), a cold start in a child that is already running (its environments reaped), warm sequential
 * round trips (median, p99) and throughput with 2 environments and 16 invocations in flight. Hosts are measured
 * in interleaved rounds. A trivial handler, so the figures are the hosting's own.
 *
 *   node --import tsx bench/runtime-hosts.ts [rounds=3]
 *
 * Run it with the Node the twin runs on (`npx tsx` would pick node_modules/.bin/node, the Node 24 package).
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseNode, type NodeChoice } from '../local/lambda/node-select';
import { createLambdaRuntime, findRuntimeNodeModules } from '../local/lambda/runtime';
import type { FunctionSpec } from '../local/types';

const rounds = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'bench-hosts-'));
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'index.mjs'),
  `export const handler = async (e) => ({ statusCode: 200, body: JSON.stringify({ id: e.id, v: process.version }) });`,
);
const spec: FunctionSpec = {
  logicalId: 'Fn',
  functionName: 'Fn',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
  handler: 'index.handler',
  runtime: 'nodejs24.x',
  memoryMb: 256,
  timeoutSeconds: 10,
  environment: {},
  codeDir: dir,
  reservedConcurrency: 2,
};
const event = { id: 'abc', path: '/items/abc', headers: { accept: 'application/json' } };

const host = (): NodeChoice => ({
  runtime: 'nodejs24.x',
  path: process.execPath,
  version: process.version,
  inProcess: true,
  source: 'host',
});
const hosts: { name: string; choice: NodeChoice }[] = [
  { name: `in-process (${process.version})`, choice: host() },
  { name: `child, same Node (${process.version})`, choice: { ...host(), inProcess: false } },
];
const node24 = chooseNode('nodejs24.x', { nodeModules: findRuntimeNodeModules() });
if (!node24.inProcess) hosts.push({ name: `child, ${node24.version} (${node24.source})`, choice: node24 });

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
const median = (xs: number[]) => quantile(xs, 0.5);

async function measure(choice: NodeChoice) {
  const rt = createLambdaRuntime({ functions: [spec], nodeFor: () => choice, platformLines: false });
  try {
    let t = performance.now();
    await rt.invoke('Fn', event);
    const cold = performance.now() - t;
    rt.reapIdle(0);
    t = performance.now();
    await rt.invoke('Fn', event);
    const coldWarmHost = performance.now() - t;
    for (let i = 0; i < 300; i++) await rt.invoke('Fn', event);
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      t = performance.now();
      const r = await rt.invoke('Fn', event);
      times.push(performance.now() - t);
      if (!r.ok) throw new Error(`${r.errorType}: ${r.errorMessage}`);
    }
    const n = 10_000;
    let sent = 0;
    t = performance.now();
    const worker = async () => {
      while (sent < n) {
        sent++;
        await rt.invoke('Fn', event);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const rps = n / ((performance.now() - t) / 1000);
    return { cold, coldWarmHost, p50: median(times), p99: quantile(times, 0.99), rps };
  } finally {
    await rt.stop();
  }
}

type Row = Awaited<ReturnType<typeof measure>>;
const results = new Map<string, Row[]>(hosts.map((h) => [h.name, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const h of hosts) results.get(h.name)!.push(await measure(h.choice));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (xs: number[], digits: number) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
console.log(`twin on Node ${process.version}, ${rounds} rounds, median (min-max) of the rounds`);
console.log(
  '| host | first invocation, ms | cold start in a running host, ms | warm p50, µs | warm p99, µs | req/s (2 envs, 16 in flight) |',
);
console.log('|---|---|---|---|---|---|');
for (const [name, rows] of results) {
  const col = (k: keyof Row, scale = 1, d = 1) =>
    fmt(
      rows.map((x) => x[k] * scale),
      d,
    );
  console.log(
    `| ${name} | ${col('cold')} | ${col('coldWarmHost')} | ${col('p50', 1000, 0)} | ${col('p99', 1000, 0)} | ${col('rps', 1, 0)} |`,
  );
}
