/**
 * The fault suite (issue 13), through the twin over real HTTP on DynamoDB Local:
 * (a) DynamoDB Local is killed (SIGKILL) during a stream of writes: the twin notices and restarts it, every
 *     acknowledged write is still there, requests meanwhile got 503 + Retry-After (never a 500 or a hang), and
 *     after `npm run redrive` every acknowledged write has its history entry;
 * (b) the whole twin process is killed (SIGKILL) during writes and started again on the same data dir: no
 *     acknowledged write or history entry is lost (pollers resume from their checkpoints; redrive replays
 *     what went to the dead-letter file);
 * (c) an in-memory engine dies: the twin reports one fatal error and stops, rather than serve empty tables.
 * Every wait polls for a condition, with a bound.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { rpc, waitMessage } from '../bench/lib/procs';
import { startTwin, type Twin } from '../local/twin';

const ROOT = join(import.meta.dirname, '..');
const CONTEXT = { throttleRate: 100_000, throttleBurst: 100_000 };
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Api {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** What one write got: 201 with an id, 503 with its Retry-After, or anything else (a failure of the test). */
interface WriteResult {
  readonly status: number | 'network error' | 'hang';
  readonly id?: string;
  readonly retryAfter?: string | null;
}

/**
 * POSTs one item; a request that takes over 20 s counts as a hang. Without an Idempotency-Key on purpose: a
 * create is then one PutItem, which DynamoDB Local kept through every SIGKILL we tried, while a
 * TransactWriteItems acknowledged a few ms before the kill can be lost (bench/engine-durability.ts).
 */
async function write(api: Api, i: number): Promise<WriteResult> {
  try {
    const res = await fetch(`${api.url}/items`, {
      method: 'POST',
      headers: api.headers,
      body: JSON.stringify({ name: `w${i}`, price: i }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json()) as { id?: string };
    return {
      status: res.status,
      ...(body.id ? { id: body.id } : {}),
      retryAfter: res.headers.get('retry-after'),
    };
  } catch (e) {
    return { status: (e as Error).name === 'TimeoutError' ? 'hang' : 'network error' };
  }
}

/** Writes one item after another until `stop()` says so. */
function writer(api: () => Api) {
  const results: WriteResult[] = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) results.push(await write(api(), i));
  })();
  return {
    results,
    acked: () => results.filter((r) => r.status === 201).map((r) => r.id as string),
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function history(api: Api, id: string): Promise<unknown[] | undefined> {
  const res = await fetch(`${api.url}/items/${id}/history`, { headers: api.headers });
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { entries: unknown[] }).entries;
}

/** `npm run redrive` against the twin whose data dir this is. */
async function redriveCli(dataDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'local/redrive/cli.ts', '--data-dir', dataDir],
    { cwd: ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
  );
  return stdout;
}

async function everyAckedHasHistory(api: Api, ids: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const id of ids) if (!(await history(api, id))?.length) missing.push(id);
  return missing;
}

describe('the engine dies during writes (a)', () => {
  it('is restarted; acknowledged writes survive; the outage is 503 + Retry-After; redrive restores history', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'faults-a-'));
    const lines: string[] = [];
    const twin: Twin = await startTwin({ port: 0, dataDir, context: CONTEXT, log: (l) => lines.push(l) });
    cleanups.push(
      () => twin.stop(),
      () => rmSync(dataDir, { recursive: true, force: true }),
    );
    const token = await twin.token({ sub: 'alice', tenant: 'acme' });
    const api: Api = {
      url: twin.url,
      headers: {
        'x-api-key': twin.apiKey,
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
    };

    const w = writer(() => api);
    await until(() => (w.acked().length >= 15 ? true : undefined), 30_000, '15 writes before the kill');
    twin.engine.kill('SIGKILL');
    await until(() => (twin.engine.state() === 'restarting' ? true : undefined), 5_000, 'the kill noticed');
    await until(() => (twin.engine.state() === 'up' ? true : undefined), 60_000, 'the engine restarted');
    const before = w.acked().length;
    await until(
      () => (w.acked().length >= before + 15 ? true : undefined),
      30_000,
      '15 writes after the restart',
    );
    await w.stop();

    const statuses = new Set(w.results.map((r) => r.status));
    expect([...statuses].sort()).toEqual([201, 503]);
    const unavailable = w.results.filter((r) => r.status === 503);
    expect(unavailable.every((r) => r.retryAfter && Number(r.retryAfter) > 0)).toBe(true);
    expect(twin.engine.restarts()).toBe(1);
    expect(lines.some((l) => /DynamoDB Local exited unexpectedly \(killed by SIGKILL\)/.test(l))).toBe(true);

    const acked = w.acked();
    for (const id of acked) {
      const res = await fetch(`${api.url}/items/${id}`, { headers: api.headers });
      expect(res.status, `acknowledged item ${id}`).toBe(200);
    }

    await twin.streams.idle({ timeoutMs: 60_000 });
    const out = await redriveCli(dataDir);
    expect(out).toMatch(/kept 0\./);
    expect(twin.deadLetters()).toEqual([]);
    await twin.streams.idle({ timeoutMs: 60_000 });
    expect(await everyAckedHasHistory(api, acked)).toEqual([]);
  }, 240_000);
});

describe('the whole twin dies during writes (b)', () => {
  it('loses no acknowledged write or history entry when started again on the same data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'faults-b-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const start = async () => {
      const child: ChildProcess = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'test/support/twin-process.ts'), dataDir],
        {
          cwd: ROOT,
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        },
      );
      cleanups.push(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      const ready = await waitMessage<{ url: string; apiKey: string }>(child, 'ready', 240_000);
      const call = rpc(child);
      const { token } = await call<{ token: string }>('token', { sub: 'bob', tenant: 'acme' });
      const api: Api = {
        url: ready.url,
        headers: {
          'x-api-key': ready.apiKey,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
      };
      return { child, call, api };
    };

    const first = await start();
    const w = writer(() => first.api);
    await until(() => (w.acked().length >= 25 ? true : undefined), 30_000, '25 writes before the kill');
    first.child.kill('SIGKILL');
    await w.stop();
    // Started again at once, as a person would: the old engine's guard is still stopping it, and the new
    // twin waits for it to release the data dir (local/engine/dynamodb-local.ts).
    const second = await start();
    cleanups.push(() =>
      second.call('stop').then(
        () => undefined,
        () => undefined,
      ),
    );
    const acked = w.acked();
    expect(acked.length).toBeGreaterThanOrEqual(25);
    expect(w.results.every((r) => r.status === 201 || r.status === 'network error')).toBe(true);
    for (const id of acked) {
      const res = await fetch(`${second.api.url}/items/${id}`, { headers: second.api.headers });
      expect(res.status, `acknowledged item ${id}`).toBe(200);
    }
    await second.call('idle', {}, 90_000);
    await redriveCli(dataDir);
    await second.call('idle', {}, 90_000);
    expect(await everyAckedHasHistory(second.api, acked)).toEqual([]);
  }, 360_000);
});

describe('an in-memory engine dies (c)', () => {
  it('stops the twin with one fatal message instead of serving empty tables', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'faults-c-'));
    const lines: string[] = [];
    let fatal: Error | undefined;
    const twin = await startTwin({
      port: 0,
      dataDir,
      inMemory: true,
      context: CONTEXT,
      log: (l) => lines.push(l),
      onFatal: (e) => {
        fatal = e;
      },
    });
    cleanups.push(
      () => twin.stop(),
      () => rmSync(dataDir, { recursive: true, force: true }),
    );
    twin.engine.kill('SIGKILL');
    const error = await until(() => fatal, 30_000, 'the fatal error');
    expect(error.message).toMatch(/in memory.*not restarted/);
    expect(lines.filter((l) => l.startsWith('FATAL:'))).toHaveLength(1);
    // onFatal comes after the twin stopped: nothing listens any more.
    await expect(fetch(`${twin.url}/items`, { headers: { 'x-api-key': twin.apiKey } })).rejects.toThrow();
  }, 180_000);
});
