/**
 * The execution environments of one function: a pool of worker threads, one invocation at a time each.
 *
 * - Warm reuse: an environment that finished goes back on an idle stack (LIFO, so the warmest is reused).
 * - Scale out on demand up to the function's reserved concurrency (or the local cap), queueing beyond it.
 * - Once an invocation has had to wait for a busy environment, one spare is kept initialised, so a burst does
 *   not pay cold starts one by one. A function only ever invoked one at a time (a stream consumer, a cached
 *   authorizer) keeps one environment, as on Lambda; nothing is spawned before the first invocation.
 * - Timeout: the environment is terminated and replaced; the result is `Sandbox.Timedout`.
 * - Crash (uncaught exception, unhandled rejection, `process.exit`, heap limit): the environment is gone, the
 *   result says why.
 * - Reload: a new generation; idle environments of the old one stop now, busy ones after their invocation.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { FunctionSpec, InvokeResult } from '../types';
import {
  type CodeSetup,
  type Crash,
  crashOfError,
  type Env,
  exitCrash,
  fail,
  initExitCrash,
  type Pending,
  type PoolSettings,
  prepareCode,
  resultOf,
  startEnvironment,
} from './environment';
import { endLine, reportLine, startLine, timeoutMessage } from './log-format';
import { type EnvironmentMessage, type InvokeMessage, type ResultMessage, ToPool } from './protocol.mjs';
import { WaitQueue } from './wait-queue';

export type { PoolSettings } from './environment';

/** Counters for {@link FunctionPool.stats}. */
export interface PoolStats {
  readonly environments: number;
  readonly idle: number;
  readonly busy: number;
  readonly initializing: number;
  readonly queued: number;
  readonly maxConcurrency: number;
  readonly invocations: number;
  readonly coldStarts: number;
  readonly timeouts: number;
  readonly crashes: number;
  /** Most environments busy at once. */
  readonly peakBusy: number;
}

export class FunctionPool {
  private spec: FunctionSpec;
  private readonly envs = new Set<Env>();
  private readonly idle: Env[] = [];
  private readonly queue = new WaitQueue<Pending>();
  private generation = 0;
  private used = false;
  /** An invocation found every environment busy (or starting) at least once: worth keeping a spare. */
  private contended = false;
  private stopped = false;
  private busy = 0;
  private initializing = 0;
  private counters = { invocations: 0, coldStarts: 0, timeouts: 0, crashes: 0, peakBusy: 0 };
  private readonly prefix: string;
  private code!: CodeSetup;
  private drained: (() => void)[] = [];
  // One message object reused for every dispatch: postMessage clones synchronously.
  private readonly msg: InvokeMessage = { id: 0, event: undefined, requestId: '', deadline: 0 };
  private seq = 0;

  constructor(
    spec: FunctionSpec,
    private readonly settings: PoolSettings,
  ) {
    this.spec = spec;
    this.prefix = `[${spec.functionName}] `;
    this.prepare();
  }

  get maxConcurrency(): number {
    return this.spec.reservedConcurrency ?? this.settings.defaultConcurrency;
  }

  /** Computes what every environment of the current code shares (not on the hot path). */
  private prepare(): void {
    this.code = prepareCode(this.spec, this.settings, this.prefix);
  }

  /** Why no environment can run the current code (the handler cannot be located), if so. */
  private get loadError(): InvokeResult | undefined {
    return 'loadError' in this.code ? this.code.loadError : undefined;
  }

  /** Runs one invocation. */
  invoke(event: unknown): Promise<InvokeResult> {
    if (this.stopped) return Promise.resolve(fail('Runtime.Stopped', 'the Lambda runtime is stopping'));
    if (this.maxConcurrency <= 0) {
      return Promise.resolve(fail('TooManyRequestsException', 'Rate Exceeded. (reserved concurrency is 0)'));
    }
    if (this.loadError) return Promise.resolve(this.loadError);
    this.used = true;
    this.counters.invocations++;
    return new Promise<InvokeResult>((resolve) => {
      const p: Pending = { event, resolve };
      const env = this.idle.pop();
      if (env) this.dispatch(env, p);
      else {
        if (this.envs.size > 0) this.contended = true;
        this.queue.push(p);
        this.scale();
      }
    });
  }

  /** Spawns what queued work needs (within the cap), plus one spare once the function has met contention. */
  private scale(): void {
    if (this.stopped || this.loadError) return;
    const max = this.maxConcurrency;
    let want = this.queue.size - this.initializing;
    while (want > 0 && this.envs.size < max) {
      this.spawn();
      want--;
    }
    if (this.contended && this.idle.length === 0 && this.initializing === 0 && this.envs.size < max)
      this.spawn();
  }

  private spawn(): void {
    const code = this.code;
    if ('loadError' in code) return;
    const e = startEnvironment(this.spec, this.settings, code, this.generation);
    this.envs.add(e);
    this.initializing++;
    this.counters.coldStarts++;
    e.timer = setTimeout(() => this.onTimer(e), this.settings.initTimeoutMs);
    e.timer.unref();
    const memoryMb = this.spec.memoryMb;
    e.worker.on('message', (m) => this.onMessage(e, m as EnvironmentMessage));
    e.worker.on('error', (err: Error & { code?: string }) => {
      e.crash ??= crashOfError(err, memoryMb);
    });
    e.worker.on('exit', (code) => this.onExit(e, code));
  }

  private onMessage(e: Env, m: EnvironmentMessage): void {
    switch (m.t) {
      case ToPool.log:
        this.logLines(m.line);
        return;
      case ToPool.result:
        this.onResult(e, m);
        return;
      case ToPool.ready:
        this.onReady(e, m.initMs);
        return;
      case ToPool.initError:
        this.onInitError(e, m.errorType, m.errorMessage);
        return;
      case ToPool.crash:
        e.crash = { errorType: m.errorType, errorMessage: m.errorMessage };
        return;
      case ToPool.twinLog:
        this.settings.log(m.line);
        return;
    }
  }

  private logLines(text: string): void {
    const log = this.settings.log;
    if (text.indexOf('\n') < 0) log(this.prefix + text);
    else for (const line of text.split('\n')) log(this.prefix + line);
  }

  private onReady(e: Env, initMs: number): void {
    if (e.state !== 'init') return;
    // From spawn to the handler module loaded: worker start-up plus the module's own init (initMs).
    e.initMs = Math.max(initMs, performance.now() - e.spawnedAt);
    this.initializing--;
    clearTimeout(e.timer);
    // Re-armed by refresh() on each dispatch, with the function's timeout.
    e.timer = setTimeout(() => this.onTimer(e), this.spec.timeoutSeconds * 1000);
    e.timer.unref();
    if (e.generation !== this.generation) {
      this.retire(e);
      this.scale();
      return;
    }
    e.state = 'idle';
    e.lastUsed = performance.now();
    const next = this.queue.take();
    if (next) this.dispatch(e, next);
    // A fresh spare goes under the warm ones: invocations keep reusing the most recently used environment.
    else this.idle.unshift(e);
  }

  private onInitError(e: Env, errorType: string, errorMessage: string): void {
    const r = fail(errorType, errorMessage);
    this.settings.log(
      `${this.prefix}INIT_REPORT Init Duration: ${(performance.now() - e.spawnedAt).toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`,
    );
    this.settings.log(`${this.prefix}${errorType}: ${errorMessage}`);
    e.crash = { errorType, errorMessage };
    // Every invocation waiting for this code would fail the same way: fail them now rather than re-initialising
    // once per queued request.
    for (let p = this.queue.take(); p; p = this.queue.take()) p.resolve(r);
    this.kill(e);
  }

  private dispatch(e: Env, p: Pending): void {
    const requestId = randomUUID();
    e.state = 'busy';
    e.current = p;
    e.requestId = requestId;
    this.busy++;
    if (this.busy > this.counters.peakBusy) this.counters.peakBusy = this.busy;
    if (this.settings.platformLines) this.settings.log(this.prefix + startLine(requestId));
    const msg = this.msg;
    msg.id = ++this.seq;
    msg.event = p.event;
    msg.requestId = requestId;
    msg.deadline = Date.now() + this.spec.timeoutSeconds * 1000;
    e.startedAt = performance.now();
    e.timer?.refresh();
    try {
      e.worker.postMessage(msg);
    } catch (err) {
      // The event cannot be cloned (a function, a symbol...): Lambda would have rejected the JSON.
      msg.event = undefined;
      this.busy--;
      e.current = undefined;
      e.state = 'idle';
      this.idle.push(e);
      p.resolve(
        fail('InvalidRequestContentException', `Could not serialize the event: ${(err as Error).message}`),
      );
      return;
    }
    msg.event = undefined;
    if (this.idle.length === 0) this.scale();
  }

  private onResult(e: Env, m: ResultMessage): void {
    const p = e.current;
    if (!p || e.state !== 'busy') return;
    const durationMs = performance.now() - e.startedAt;
    if (m.mem > e.maxMemMb) e.maxMemMb = m.mem;
    const r = resultOf(m);
    this.endInvocation(e, durationMs, r.ok ? undefined : 'error', r.ok ? undefined : r.errorType);
    p.resolve(r);
    this.release(e);
  }

  private endInvocation(e: Env, durationMs: number, status?: 'timeout' | 'error', errorType?: string): void {
    this.busy--;
    e.current = undefined;
    if (!this.settings.platformLines) {
      e.reportInit = false;
      return;
    }
    const log = this.settings.log;
    log(this.prefix + endLine(e.requestId));
    log(
      this.prefix +
        reportLine({
          requestId: e.requestId,
          durationMs,
          memorySizeMb: this.spec.memoryMb,
          maxMemoryUsedMb: e.maxMemMb,
          ...(e.reportInit ? { initDurationMs: e.initMs } : {}),
          ...(status === 'timeout' ? { status } : {}),
          ...(status === 'error' && errorType?.startsWith('Runtime.') ? { status, errorType } : {}),
        }),
    );
    e.reportInit = false;
  }

  /** After an invocation: next queued one, or back to idle, or retire (old generation). */
  private release(e: Env): void {
    if (e.generation !== this.generation || this.stopped) {
      this.retire(e);
      this.scale();
      return;
    }
    const next = this.queue.take();
    if (next) {
      this.dispatch(e, next);
      return;
    }
    e.state = 'idle';
    e.lastUsed = performance.now();
    this.idle.push(e);
  }

  private onTimer(e: Env): void {
    if (e.state === 'init') {
      const msg = `init did not finish within ${this.settings.initTimeoutMs} ms`;
      this.onInitError(e, 'Sandbox.Timedout', msg);
      return;
    }
    if (e.state !== 'busy' || !e.current) return;
    const durationMs = performance.now() - e.startedAt;
    const left = this.spec.timeoutSeconds * 1000 - durationMs;
    if (left > 0.5) {
      // Timers may fire a little early against performance.now(): look again when the time is really up.
      setTimeout(() => this.onTimer(e), Math.ceil(left)).unref();
      return;
    }
    const p = e.current;
    const message = `${new Date().toISOString()} ${e.requestId} ${timeoutMessage(this.spec.timeoutSeconds)}`;
    this.settings.log(this.prefix + message);
    this.counters.timeouts++;
    this.endInvocation(e, durationMs, 'timeout');
    p.resolve({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: message, timedOut: true });
    this.kill(e);
  }

  private onExit(e: Env, code: number): void {
    const wasInit = e.state === 'init';
    const p = e.current;
    this.forget(e);
    if (p) {
      const durationMs = performance.now() - e.startedAt;
      const crash = e.crash ?? exitCrash(e.requestId, code);
      this.counters.crashes++;
      this.endInvocation(
        e,
        durationMs,
        'error',
        crash.errorType.startsWith('Runtime.') ? crash.errorType : 'Runtime.ExitError',
      );
      p.resolve(fail(crash.errorType, crash.errorMessage));
    } else if (wasInit && !this.stopped) {
      const crash = e.crash ?? initExitCrash(code);
      this.onInitFailureAfterExit(crash);
    }
    this.scale();
    this.checkDrained();
  }

  private onInitFailureAfterExit(crash: Crash): void {
    const r = fail(crash.errorType, crash.errorMessage);
    this.settings.log(`${this.prefix}${crash.errorType}: ${crash.errorMessage}`);
    for (let p = this.queue.take(); p; p = this.queue.take()) p.resolve(r);
  }

  /** Removes an environment from every list (idempotent). */
  private forget(e: Env): void {
    if (e.state === 'dead') return;
    if (e.state === 'init') this.initializing--;
    if (e.state === 'idle') {
      const i = this.idle.indexOf(e);
      if (i >= 0) this.idle.splice(i, 1);
    }
    e.state = 'dead';
    clearTimeout(e.timer);
    this.envs.delete(e);
  }

  private kill(e: Env): void {
    this.forget(e);
    void e.worker.terminate();
    this.scale();
    this.checkDrained();
  }

  private retire(e: Env): void {
    this.forget(e);
    void e.worker.terminate();
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.drained.length === 0) return;
    for (const e of this.envs) if (e.generation !== this.generation) return;
    const waiting = this.drained;
    this.drained = [];
    for (const w of waiting) w();
  }

  /**
   * Swaps the code: new invocations go to new environments, old ones finish their invocation then stop.
   * Resolves once no old environment is left.
   */
  reload(spec: FunctionSpec): Promise<void> {
    this.spec = spec;
    this.generation++;
    this.prepare();
    for (const e of [...this.idle]) this.retire(e);
    const done = new Promise<void>((resolve) => this.drained.push(resolve));
    this.checkDrained();
    if (this.queue.size > 0 || this.used) this.scale();
    return done;
  }

  /**
   * Stops environments idle for at least `idleForMs` (Lambda reclaims idle environments too); once none is
   * left, no spare is kept until the function meets contention again. Returns how many stopped.
   */
  reap(idleForMs: number): number {
    const now = performance.now();
    let n = 0;
    for (const e of [...this.idle]) {
      if (now - e.lastUsed >= idleForMs) {
        this.retire(e);
        n++;
      }
    }
    if (this.envs.size === 0 && this.queue.size === 0) {
      this.used = false;
      this.contended = false;
    }
    return n;
  }

  /** Terminates every environment; queued invocations fail with `Runtime.Stopped`. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (let p = this.queue.take(); p; p = this.queue.take())
      p.resolve(fail('Runtime.Stopped', 'the Lambda runtime stopped'));
    const all = [...this.envs];
    await Promise.all(all.map((e) => e.worker.terminate()));
  }

  stats(): PoolStats {
    return {
      environments: this.envs.size,
      idle: this.idle.length,
      busy: this.busy,
      initializing: this.initializing,
      queued: this.queue.size,
      maxConcurrency: this.maxConcurrency,
      ...this.counters,
    };
  }

  get functionSpec(): FunctionSpec {
    return this.spec;
  }
}
