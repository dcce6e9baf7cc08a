/**
 * `npm run bench:memory`: where the twin's memory goes, round after round. Starts the twin in this process,
 * drives it with autocannon in a separate process (every op at concurrency 16, `MEMORY_SECONDS` each, default
 * 5), and after each round prints the twin's RSS (this process, worker threads included), the main thread's
 * heap in use after a full GC, and each function's last heap size from its REPORT lines (`Max Memory Used`:
 * the environment's V8 heap plus external memory), and the RSS by kind of mapping from `/proc/self/smaps`:
 * glibc's malloc arenas (the main one, `[heap]`, and the per-thread ones, 64 MB-aligned), other anonymous
 * memory (the V8 heaps' pages, which V8 maps itself), and file-backed pages (the node binary's code, shared by
 * every thread). Linux only for the last.
 *
 * Needs `--expose-gc` (the npm script passes it). Not part of `npm run bench`: it explains a figure.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../local/cli-args';
import { startTwin } from '../local/twin';

parseCommandLine(
  `usage: npm run bench:memory

The twin's RSS round after round of load, split by kind of mapping, beside its heaps.
Environment: MEMORY_ROUNDS (default 8), MEMORY_SECONDS (default 5).

  -h, --help  this text`,
  {},
);
const ROUNDS = Number(process.env.MEMORY_ROUNDS ?? 8);
const SECONDS = Number(process.env.MEMORY_SECONDS ?? 5);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench:memory)');
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

const heapMb = new Map<string, number>();
const ARENA_ALIGN = 64 * 1024 * 1024;

/** This process's RSS by kind of mapping, in MB (Linux; empty elsewhere). */
function rssByMapping(): Record<string, number> {
  const out: Record<string, number> = { '[heap]': 0, 'thread arenas': 0, 'other anonymous': 0, files: 0 };
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return {};
  }
  let kind = 'files';
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[2] ?? '';
      const start = Number.parseInt(head[1] as string, 16);
      kind =
        name === '[heap]'
          ? '[heap]'
          : name === ''
            ? start % ARENA_ALIGN === 0
              ? 'thread arenas'
              : 'other anonymous'
            : name.startsWith('[')
              ? 'other anonymous'
              : 'files';
    } else if (line.startsWith('Rss:')) out[kind] = (out[kind] ?? 0) + Number(line.split(/\s+/)[1]) / 1024;
  }
  return out;
}
const dataDir = mkdtempSync(join(tmpdir(), 'crud-memory-'));
const twin = await startTwin({
  port: 0,
  dataDir,
  inMemory: true,
  context: { throttleRate: 1_000_000, throttleBurst: 1_000_000, quotaLimit: 2_000_000_000 },
  log: (line) => {
    const m = /\[[^\]]*?-(\w+Function)\] REPORT.*Max Memory Used: (\d+) MB/.exec(line);
    if (m) heapMb.set(m[1] as string, Number(m[2]));
  },
});
try {
  const token = await twin.token({ sub: 'bench-user', tenant: 'bench' });
  const headers = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  const ids: string[] = [];
  for (let i = 0; i < 64; i++) {
    const r = await fetch(`${twin.url}/items`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: `item ${i}`, price: i }),
    });
    ids.push(((await r.json()) as { id: string }).id);
  }
  const load = (args: string[]) =>
    new Promise<void>((ok, fail) => {
      const h = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
      const child = spawn(
        process.execPath,
        [autocannonBin, '-c', '16', '-d', String(SECONDS), ...h, ...args],
        {
          stdio: 'ignore',
        },
      );
      child.on('error', fail);
      child.on('exit', () => ok());
    });
  const mb = (n: number) => (n / 1048576).toFixed(1);
  console.log(`${ROUNDS} rounds of get, list, create and patch at concurrency 16, ${SECONDS} s each:`);
  for (let round = 1; round <= ROUNDS; round++) {
    await load([`${twin.url}/items/${ids[0]}`]);
    await load([`${twin.url}/items?limit=25`]);
    await load(['-m', 'POST', '-b', '{"name":"x","price":1}', `${twin.url}/items`]);
    // One item per round, so that patches do not all contend on one.
    await load(['-m', 'PATCH', '-b', '{"price":2}', `${twin.url}/items/${ids[round % ids.length]}`]);
    gc?.();
    const m = process.memoryUsage();
    const fns = [...heapMb].map(([k, v]) => `${k.replace('Function', '')} ${v}`).join(', ');
    const maps = Object.entries(rssByMapping())
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
    console.log(
      `round ${round}: RSS ${mb(m.rss)} MB (${maps}), main heap in use ${mb(m.heapUsed)} MB; environments' heaps (MB): ${fns}`,
    );
  }
} finally {
  await twin.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
