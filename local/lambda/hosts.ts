/**
 * Environment hosts: where a function's execution environments (worker threads running `bootstrap.mjs`) live.
 *
 * - In-process: worker threads of the twin itself, when the twin's Node is the one the function declares.
 * - Child: worker threads inside ONE child process of another Node.js per runtime (`host-child.mjs`), so that a
 *   `nodejs24.x` function runs on Node 24 while the twin runs on 20. One process per runtime, not per
 *   environment or invocation: a cold start pays a worker start (plus the process's, once), warm reuse stays a
 *   message each way. The pool sees the same handle either way and the same bootstrap messages, so warm reuse,
 *   scale-out, timeouts (terminate the environment), crash classification and the START/END/REPORT lines are
 *   one code path.
 *
 * The child process is started on the first environment (nothing before the first invocation), holds the
 * twin's event loop open only while it hosts environments, and ends when the twin disconnects. If it dies, each
 * of its environments ends with `Runtime.ExitError` and the next environment starts a new process.
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Log } from '../types';
import { type HostRequest, ToHost } from './protocol.mjs';

/** The part of a `Worker` the pool uses: one execution environment. */
export interface EnvironmentHandle {
  postMessage(message: unknown): void;
  terminate(): Promise<unknown>;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (err: Error & { code?: string }) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/** Starts execution environments on one Node.js. */
export interface EnvironmentHost {
  /** `v24.21.0`, ... */
  readonly version: string;
  readonly inProcess: boolean;
  /** Starts one environment running `bootstrap` with these worker options. */
  spawn(bootstrap: URL, options: WorkerOptions): EnvironmentHandle;
  /** Ends the host (and every environment it still has). */
  stop(): Promise<void>;
}

/** Environments as worker threads of the twin (the fast path: nothing between the pool and the worker). */
export function inProcessHost(): EnvironmentHost {
  return {
    version: process.version,
    inProcess: true,
    spawn: (bootstrap, options) => new Worker(bootstrap, options),
    stop: async () => {},
  };
}

// biome-ignore lint/suspicious/noExplicitAny: one map for the three events' differently typed listeners
type Listener = (x: any) => void;

/** One environment in the child: the pool's handle, relayed over IPC. */
class ChildEnvironment implements EnvironmentHandle {
  private readonly listeners = new Map<string, Listener>();
  private ended: Promise<unknown> | undefined;
  private endedNow: ((code: number) => void) | undefined;
  alive = true;

  constructor(
    readonly id: number,
    private readonly host: ChildHost,
  ) {}

  postMessage(message: unknown): void {
    this.host.send({ o: ToHost.message, id: this.id, m: message });
  }

  terminate(): Promise<unknown> {
    if (!this.alive) return Promise.resolve(undefined);
    this.ended ??= new Promise((resolve) => {
      this.endedNow = resolve;
      this.host.send({ o: ToHost.terminate, id: this.id });
    });
    return this.ended;
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, listener);
    return this;
  }

  emit(event: 'message' | 'error' | 'exit', value: unknown): void {
    if (event === 'exit') {
      if (!this.alive) return;
      this.alive = false;
      this.endedNow?.(value as number);
    }
    (this.listeners.get(event) as ((v: unknown) => void) | undefined)?.(value);
  }
}

interface FromChild {
  readonly ready?: string;
  readonly id?: number;
  readonly m?: unknown;
  readonly err?: { name?: string; message: string; code?: string };
  readonly exit?: number;
}

class ChildHost implements EnvironmentHost {
  readonly inProcess = false;
  private child: ChildProcess | undefined;
  private ready = false;
  private backlog: HostRequest[] = [];
  private readonly envs = new Map<number, ChildEnvironment>();
  private seq = 0;

  constructor(
    private readonly nodePath: string,
    readonly version: string,
    private readonly log: Log,
  ) {}

  spawn(bootstrap: URL, options: WorkerOptions): EnvironmentHandle {
    const env = new ChildEnvironment(++this.seq, this);
    this.envs.set(env.id, env);
    this.send({ o: ToHost.start, id: env.id, url: bootstrap.href, options });
    this.hold();
    return env;
  }

  send(message: HostRequest): void {
    if (!this.child) this.start();
    if (this.ready) this.child!.send(message);
    else {
      // Serialized now, as a worker's postMessage would: an event that cannot be cloned fails its dispatch.
      this.backlog.push(structuredClone(message));
    }
  }

  private start(): void {
    const child = fork(new URL('./host-child.mjs', import.meta.url), [], {
      execPath: this.nodePath,
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      // Not the twin's variables (its NODE_OPTIONS may name a loader this Node cannot run). TZ is process-wide,
      // so here, unlike in the twin's own workers, it can be Lambda's.
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TZ: ':UTC' },
    });
    this.child = child;
    this.ready = false;
    // The process's own complaints (not the functions' output, which comes as messages): to the twin's log.
    if (child.stderr) {
      const lines = createInterface({ input: child.stderr });
      lines.on('line', (l) => this.log(`[node ${this.version}] ${l}`));
    }
    child.on('message', (m: FromChild) => this.onMessage(m));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', (err) => {
      this.log(`[node ${this.version}] ${err.message}`);
      // A binary that cannot start never emits 'exit': its environments would wait for the init timeout.
      if (child.pid === undefined) this.onExit(child, 1, null);
    });
  }

  private onMessage(m: FromChild): void {
    if (m.id === undefined) {
      if (m.ready !== undefined) this.flush();
      return;
    }
    const env = this.envs.get(m.id);
    if (!env) return;
    if (m.m !== undefined) env.emit('message', m.m);
    else if (m.err) {
      const e = Object.assign(new Error(m.err.message), { code: m.err.code });
      e.name = m.err.name ?? 'Error';
      env.emit('error', e);
    } else if (m.exit !== undefined) {
      this.envs.delete(m.id);
      env.emit('exit', m.exit);
      this.hold();
    }
  }

  private flush(): void {
    this.ready = true;
    const queued = this.backlog;
    this.backlog = [];
    for (const m of queued) this.child!.send(m);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = false;
    this.backlog = [];
    const envs = [...this.envs.values()];
    this.envs.clear();
    for (const env of envs) {
      const e = new Error(
        `the Node.js ${this.version} process hosting this environment exited (${signal ?? code})`,
      );
      e.name = 'Runtime.ExitError';
      env.emit('error', e);
      env.emit('exit', code ?? 1);
    }
  }

  /** The child keeps the twin alive only while it hosts environments, as the twin's own workers do. */
  private hold(): void {
    const c = this.child;
    if (!c) return;
    const channel = c.channel as { ref(): void; unref(): void } | null | undefined;
    if (this.envs.size > 0) {
      c.ref();
      channel?.ref();
    } else {
      c.unref();
      channel?.unref();
    }
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.ref(); // unreferenced while idle: without this the twin could exit before hearing the child end
    if (c.connected) c.disconnect();
    else c.kill();
    await gone;
  }
}

/**
 * Environments as worker threads of one child process running `nodePath` (version `version`).
 * @example
 * const host = childHost('/opt/node24/bin/node', 'v24.21.0', log);
 */
export function childHost(nodePath: string, version: string, log: Log): EnvironmentHost {
  return new ChildHost(nodePath, version, log);
}
