/**
 * Child processes of the bench: every one is tracked and killed when the bench ends, however it ends
 * (normal exit, an exception, Ctrl-C), so no twin, engine or server outlives a run.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(BENCH_DIR, '..');

const live = new Set<ChildProcess>();

function killAll(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
}

let hooked = false;
function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killAll('SIGTERM');
      setTimeout(() => process.exit(130), 500).unref();
    });
  }
}

/** Tracks a child so that it is killed when the bench ends. */
export function track<C extends ChildProcess>(child: C): C {
  hook();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      ok();
    });
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process in MB, from `/proc/<pid>/status` (Linux). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/**
 * Starts a TypeScript module of the bench in a child Node process with an IPC channel: through `tsx`, or with
 * `bundled` as `npm start` runs the twin (`local/run.mjs`: bundled by esbuild first, no tsx loader in the process).
 */
export function spawnTs(
  file: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  bundled = false,
): ChildProcess {
  const runner = bundled ? [join(ROOT, 'local', 'run.mjs')] : ['--import', 'tsx'];
  return track(
    spawn(process.execPath, [...runner, file, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
}

/** Waits for the first IPC message of `type` from a child (or its death). */
export function waitMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((ok, fail) => {
    const t = setTimeout(() => done(new Error(`no "${type}" from child within ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: { type?: string }) => {
      if (m?.type === type) done(undefined, m as T);
      else if (m?.type === 'error') done(new Error(String((m as { message?: string }).message)));
    };
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) before "${type}"`));
    const done = (e?: Error, v?: T) => {
      clearTimeout(t);
      child.off('message', onMsg);
      child.off('exit', onExit);
      if (e) fail(e);
      else ok(v as T);
    };
    child.on('message', onMsg);
    child.once('exit', onExit);
  });
}

/** Request/response over a child's IPC channel: `{ id, type, ... }` out, `{ id, ... }` back. */
export function rpc(child: ChildProcess) {
  let next = 1;
  return function call<T>(
    type: string,
    payload: Record<string, unknown> = {},
    timeoutMs = 60_000,
  ): Promise<T> {
    const id = next++;
    return new Promise((ok, fail) => {
      const t = setTimeout(() => done(new Error(`${type}: no answer within ${timeoutMs} ms`)), timeoutMs);
      const onMsg = (m: { id?: number; error?: string }) => {
        if (m?.id !== id) return;
        if (m.error) done(new Error(m.error));
        else done(undefined, m as T);
      };
      const onExit = (code: number | null) => done(new Error(`${type}: child exited (${code})`));
      const done = (e?: Error, v?: T) => {
        clearTimeout(t);
        child.off('message', onMsg);
        child.off('exit', onExit);
        if (e) fail(e);
        else ok(v as T);
      };
      child.on('message', onMsg);
      child.once('exit', onExit);
      child.send({ id, type, ...payload });
    });
  };
}
