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
import { randomBytes, randomUUID } from 'node:crypto';
import type { FunctionSpec, InvokeResult, Log } from '../types';
import { lambdaEnvironment, logGroupOf, logStreamName } from './env';
import { locateHandler } from './handler-file';
import type { EnvironmentHandle, EnvironmentHost } from './hosts';
import { endLine, reportLine, startLine, timeoutMessage } from './log-format';

/** How the pool finds the bootstrap and the twin's own packages, and what it reports. */
export interface PoolSettings {
  readonly bootstrap: URL;
  readonly hooks: URL;
  /** A file URL inside the folder holding the twin's node_modules, for the ESM fallback. */
  readonly fallbackParent: string;
  /** The twin's node_modules directory. */
  readonly runtimeNodeModules: string;
  readonly region: string;
  readonly endpoints: { readonly dynamodb?: string; readonly dynamodbStreams?: string };
  /** Concurrency when the function reserves none. */
  readonly defaultConcurrency: number;
  /** Lambda's init phase limit. */
  readonly initTimeoutMs: number;
  /** Emit START/END/REPORT lines. */
  readonly platformLines: boolean;
  /** Whether the code folder needs the `@aws-sdk/*` fallback hook (decided once per code folder). */
  readonly needsSdkFallback: (codeDir: string) => boolean;
  /** Where the environments of a runtime (`nodejs24.x`) run: in-process, or in a child of that Node. */
  readonly hostFor: (runtime: string) => EnvironmentHost;
  readonly log: Log;
}

interface Pending {
  readonly event: unknown;
  readonly resolve: (r: InvokeResult) => void;
}

type State = 'init' | 'idle' | 'busy' | 'dead';

interface Env {
  readonly worker: EnvironmentHandle;
  readonly generation: number;
  state: State;
  current: Pending | undefined;
  requestId: string;
  startedAt: number;
  initMs: number;
  /** Init duration still to report (first invocation of the environment). */
  reportInit: boolean;
  maxMemMb: number;
  crash: { errorType: string; errorMessage: string } | undefined;
  timer: NodeJS.Timeout | undefined;
  spawnedAt: number;
  /** performance.now() when it last became idle. */
  lastUsed: number;
}

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

const OK_NULL: InvokeResult = { ok: true, payload: null };
/**
 * Lambda's synchronous response limit on the result's JSON: documented as 6 MB, enforced 100 bytes above 6 MiB
 * (its error names 6291556 bytes; issue: DataBiosphere/azul#7466, #8258).
 */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

export class FunctionPool {
  private spec: FunctionSpec;
  private readonly envs = new Set<Env>();
  private readonly idle: Env[] = [];
  private queue: Pending[] = [];
  private qHead = 0;
  private generation = 0;
  private used = false;
  /** An invocation found every environment busy (or starting) at least once: worth keeping a spare. */
  private contended = false;
  private stopped = false;
  private busy = 0;
  private initializing = 0;
  private counters = { invocations: 0, coldStarts: 0, timeouts: 0, crashes: 0, peakBusy: 0 };
  private readonly prefix: string;
  private workerData!: Record<string, unknown>;
  private loadError: InvokeResult | undefined;
  private execArgv: string[] = [];
  private drained: (() => void)[] = [];
  // One message object reused for every dispatch: postMessage clones synchronously.
  private readonly msg = { id: 0, event: undefined as unknown, requestId: '', deadline: 0 };
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
    const spec = this.spec;
    const codeDir = spec.codeDir ?? '';
    const loc = locateHandler(codeDir, spec.handler);
    if ('errorType' in loc) {
      this.loadError = { ok: false, errorType: loc.errorType, errorMessage: loc.errorMessage };
      return;
    }
    this.loadError = undefined;
    const fallback = this.settings.needsSdkFallback(codeDir);
    this.workerData = {
      file: loc.file,
      exportPath: loc.exportPath,
      handlerName: spec.handler,
      functionName: spec.functionName,
      functionArn: spec.functionArn,
      memoryMb: spec.memoryMb,
      logGroupName: logGroupOf(spec),
      logStreamName: '',
      ...(fallback ? { hooks: this.settings.hooks.href, fallbackParent: this.settings.fallbackParent } : {}),
      ...(spec.preload ? { preload: spec.preload } : {}),
    };
    const nodeOptions = spec.environment['NODE_OPTIONS'] ?? '';
    this.execArgv = [];
    for (const opt of nodeOptions.split(/\s+/).filter(Boolean)) {
      if (opt === '--enable-source-maps') this.execArgv.push(opt);
      else
        this.settings.log(`${this.prefix}warning: NODE_OPTIONS ${opt} is not applied to local environments`);
    }
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

  private queued(): number {
    return this.queue.length - this.qHead;
  }

  private takeQueued(): Pending | undefined {
    if (this.qHead >= this.queue.length) return undefined;
    const p = this.queue[this.qHead]!;
    this.queue[this.qHead++] = undefined as unknown as Pending;
    if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
    return p;
  }

  /** Spawns what queued work needs (within the cap), plus one spare once the function has met contention. */
  private scale(): void {
    if (this.stopped || this.loadError) return;
    const max = this.maxConcurrency;
    let want = this.queued() - this.initializing;
    while (want > 0 && this.envs.size < max) {
      this.spawn();
      want--;
    }
    if (this.contended && this.idle.length === 0 && this.initializing === 0 && this.envs.size < max)
      this.spawn();
  }

  private spawn(): void {
    const spec = this.spec;
    const stream = logStreamName(new Date(), randomBytes(16).toString('hex'));
    const env = lambdaEnvironment(spec, {
      region: this.settings.region,
      endpoints: this.settings.endpoints,
      taskRoot: spec.codeDir ?? '',
      logStreamName: stream,
      runtimeNodeModules: this.settings.runtimeNodeModules,
      runtimeDir: new URL('.', this.settings.bootstrap).pathname,
    });
    const worker = this.settings.hostFor(spec.runtime).spawn(this.settings.bootstrap, {
      workerData: { ...this.workerData, logStreamName: stream },
      env,
      execArgv: this.execArgv,
      // The function's memory as the worker's heap limit: exceeding it ends the environment, as on Lambda.
      // The young generation is capped at 1/64 of it (4 MB at 256 MB; a worker's default is 48 MB): busy
      // environments under load otherwise grow it and keep it (bench: twin peak RSS 437 -> 407 MB at 1/32;
      // 1/64 took bench:memory's last round from ~400 to ~380 MB; throughput within the runs' noise).
      resourceLimits: {
        maxOldGenerationSizeMb: Math.max(spec.memoryMb, 64),
        maxYoungGenerationSizeMb: Math.min(48, Math.max(4, Math.round(spec.memoryMb / 64))),
      },
      stdout: false,
      stderr: false,
    });
    const e: Env = {
      worker,
      generation: this.generation,
      state: 'init',
      current: undefined,
      requestId: '',
      startedAt: 0,
      initMs: 0,
      reportInit: true,
      maxMemMb: 0,
      crash: undefined,
      timer: undefined,
      spawnedAt: performance.now(),
      lastUsed: 0,
    };
    this.envs.add(e);
    this.initializing++;
    this.counters.coldStarts++;
    e.timer = setTimeout(() => this.onTimer(e), this.settings.initTimeoutMs);
    e.timer.unref();
    worker.on('message', (m) => this.onMessage(e, m as WorkerMessage));
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        e.crash ??= {
          errorType: 'Runtime.OutOfMemory',
          errorMessage: `Runtime exited with error: heap limit (${spec.memoryMb} MB) reached`,
        };
      } else e.crash ??= { errorType: err.name || 'Error', errorMessage: err.message };
    });
    worker.on('exit', (code) => this.onExit(e, code));
  }

  private onMessage(e: Env, m: WorkerMessage): void {
    switch (m.t) {
      case 1:
        this.logLines(m.line);
        return;
      case 2:
        this.onResult(e, m);
        return;
      case 0:
        this.onReady(e, m.initMs);
        return;
      case 3:
        this.onInitError(e, m.errorType, m.errorMessage);
        return;
      case 4:
        e.crash = { errorType: m.errorType, errorMessage: m.errorMessage };
        return;
      case 5:
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
    const next = this.takeQueued();
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
    for (let p = this.takeQueued(); p; p = this.takeQueued()) p.resolve(r);
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
    let r: InvokeResult;
    if (m.ok) {
      if (m.json === 'null') r = OK_NULL;
      else if (m.json.length * 3 > MAX_RESPONSE_BYTES && Buffer.byteLength(m.json) > MAX_RESPONSE_BYTES) {
        r = fail(
          'Function.ResponseSizeTooLarge',
          `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        );
      } else r = { ok: true, payload: JSON.parse(m.json) };
    } else r = fail(m.errorType, m.errorMessage);
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
    const next = this.takeQueued();
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
      const crash = e.crash ?? {
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${e.requestId} Error: Runtime exited with error: exit status ${code}`,
      };
      this.counters.crashes++;
      this.endInvocation(
        e,
        durationMs,
        'error',
        crash.errorType.startsWith('Runtime.') ? crash.errorType : 'Runtime.ExitError',
      );
      p.resolve(fail(crash.errorType, crash.errorMessage));
    } else if (wasInit && !this.stopped) {
      const crash = e.crash ?? {
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited during init: exit status ${code}`,
      };
      this.onInitFailureAfterExit(crash);
    }
    this.scale();
    this.checkDrained();
  }

  private onInitFailureAfterExit(crash: { errorType: string; errorMessage: string }): void {
    const r = fail(crash.errorType, crash.errorMessage);
    this.settings.log(`${this.prefix}${crash.errorType}: ${crash.errorMessage}`);
    for (let p = this.takeQueued(); p; p = this.takeQueued()) p.resolve(r);
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
    if (this.queued() > 0 || this.used) this.scale();
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
    if (this.envs.size === 0 && this.queued() === 0) {
      this.used = false;
      this.contended = false;
    }
    return n;
  }

  /** Terminates every environment; queued invocations fail with `Runtime.Stopped`. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (let p = this.takeQueued(); p; p = this.takeQueued())
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
      queued: this.queued(),
      maxConcurrency: this.maxConcurrency,
      ...this.counters,
    };
  }

  get functionSpec(): FunctionSpec {
    return this.spec;
  }
}

function fail(errorType: string, errorMessage: string): InvokeResult {
  return { ok: false, errorType, errorMessage };
}

interface ResultMessage {
  readonly t: 2;
  readonly id: number;
  readonly ok: boolean;
  readonly json: string;
  readonly errorType: string;
  readonly errorMessage: string;
  readonly mem: number;
}

type WorkerMessage =
  | { readonly t: 0; readonly initMs: number }
  | { readonly t: 1; readonly line: string }
  | ResultMessage
  | { readonly t: 3; readonly errorType: string; readonly errorMessage: string }
  | { readonly t: 4; readonly errorType: string; readonly errorMessage: string }
  /** A line for the twin's own log (from a preloaded module), not the function's. */
  | { readonly t: 5; readonly line: string };
