/**
 * One execution environment as the pool tracks it, and what is decided about environments outside the pool's
 * scheduling: what every environment of a code version shares (worker data, flags), how one is started (its
 * variables, its heap limits), how a result message becomes an invocation result, and why a dead environment
 * died (crash classification).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { FunctionSpec, InvokeResult, Log } from '../types';
import { lambdaEnvironment, logGroupOf, logStreamName } from './env';
import { locateHandler } from './handler-file';
import type { EnvironmentHandle, EnvironmentHost } from './hosts';
import type { ResultMessage } from './protocol.mjs';

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

/** An invocation waiting for, or running in, an environment. */
export interface Pending {
  readonly event: unknown;
  readonly resolve: (r: InvokeResult) => void;
}

/** An environment's life: starting (init), waiting, invoked, gone. */
export type EnvState = 'init' | 'idle' | 'busy' | 'dead';

/** Why an environment failed: what the invocation's result says. */
export interface Crash {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** One execution environment. */
export interface Env {
  readonly worker: EnvironmentHandle;
  readonly generation: number;
  state: EnvState;
  current: Pending | undefined;
  requestId: string;
  startedAt: number;
  initMs: number;
  /** Init duration still to report (first invocation of the environment). */
  reportInit: boolean;
  maxMemMb: number;
  crash: Crash | undefined;
  timer: NodeJS.Timeout | undefined;
  spawnedAt: number;
  /** performance.now() when it last became idle. */
  lastUsed: number;
}

/** What every environment of one code version shares, or why none can load it. */
export type CodeSetup =
  | { readonly workerData: Record<string, unknown>; readonly execArgv: string[] }
  | { readonly loadError: InvokeResult };

/** A failed invocation's result. */
export function fail(errorType: string, errorMessage: string): InvokeResult {
  return { ok: false, errorType, errorMessage };
}

/** Locates the handler and derives the environments' worker data and Node flags (not on the hot path). */
export function prepareCode(spec: FunctionSpec, settings: PoolSettings, prefix: string): CodeSetup {
  const codeDir = spec.codeDir ?? '';
  const loc = locateHandler(codeDir, spec.handler);
  if ('errorType' in loc) return { loadError: fail(loc.errorType, loc.errorMessage) };
  const fallback = settings.needsSdkFallback(codeDir);
  const workerData = {
    file: loc.file,
    exportPath: loc.exportPath,
    handlerName: spec.handler,
    functionName: spec.functionName,
    functionArn: spec.functionArn,
    memoryMb: spec.memoryMb,
    logGroupName: logGroupOf(spec),
    logStreamName: '',
    ...(fallback ? { hooks: settings.hooks.href, fallbackParent: settings.fallbackParent } : {}),
    ...(spec.preload ? { preload: spec.preload } : {}),
  };
  const nodeOptions = spec.environment['NODE_OPTIONS'] ?? '';
  const execArgv: string[] = [];
  for (const opt of nodeOptions.split(/\s+/).filter(Boolean)) {
    if (opt === '--enable-source-maps') execArgv.push(opt);
    else settings.log(`${prefix}warning: NODE_OPTIONS ${opt} is not applied to local environments`);
  }
  return { workerData, execArgv };
}

/** Starts one environment of the code (`init` state; the caller listens to it). */
export function startEnvironment(
  spec: FunctionSpec,
  settings: PoolSettings,
  code: Extract<CodeSetup, { workerData: unknown }>,
  generation: number,
): Env {
  const stream = logStreamName(new Date(), randomBytes(16).toString('hex'));
  const env = lambdaEnvironment(spec, {
    region: settings.region,
    endpoints: settings.endpoints,
    taskRoot: spec.codeDir ?? '',
    logStreamName: stream,
    runtimeNodeModules: settings.runtimeNodeModules,
    runtimeDir: new URL('.', settings.bootstrap).pathname,
  });
  const worker = settings.hostFor(spec.runtime).spawn(settings.bootstrap, {
    workerData: { ...code.workerData, logStreamName: stream },
    env,
    execArgv: code.execArgv,
    // The function's memory as the worker's heap limit: exceeding it ends the environment, as on Lambda.
    // The young generation is capped at 1/64 of it (4 MB at 256 MB; a worker's default is 48 MB): busy
    // environments under load otherwise grow it and keep it, which shows in the twin's peak RSS, for no
    // measurable throughput.
    resourceLimits: {
      maxOldGenerationSizeMb: Math.max(spec.memoryMb, 64),
      maxYoungGenerationSizeMb: Math.min(48, Math.max(4, Math.round(spec.memoryMb / 64))),
    },
    stdout: false,
    stderr: false,
  });
  return {
    worker,
    generation,
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
}

/** An environment's `error` event: running out of heap is Lambda's out-of-memory end. */
export function crashOfError(err: Error & { code?: string }, memoryMb: number): Crash {
  if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `Runtime exited with error: heap limit (${memoryMb} MB) reached`,
    };
  }
  return { errorType: err.name || 'Error', errorMessage: err.message };
}

/** An environment that exited during an invocation without saying why. */
export function exitCrash(requestId: string, code: number): Crash {
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}`,
  };
}

/** An environment that exited during init without saying why. */
export function initExitCrash(code: number): Crash {
  return { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited during init: exit status ${code}` };
}

const OK_NULL: InvokeResult = { ok: true, payload: null };
/**
 * Lambda's synchronous response limit on the result's JSON: documented as 6 MB, enforced 100 bytes above 6 MiB
 * (its error names 6291556 bytes; issue: DataBiosphere/azul#7466, #8258).
 */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

/** The invocation's result from the environment's message, with Lambda's response size limit applied. */
export function resultOf(m: ResultMessage): InvokeResult {
  if (!m.ok) return fail(m.errorType, m.errorMessage);
  if (m.json === 'null') return OK_NULL;
  // A string's UTF-8 length is at most 3 bytes per UTF-16 unit: count bytes only when that could pass.
  if (m.json.length * 3 > MAX_RESPONSE_BYTES && Buffer.byteLength(m.json) > MAX_RESPONSE_BYTES) {
    return fail(
      'Function.ResponseSizeTooLarge',
      `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    );
  }
  return { ok: true, payload: JSON.parse(m.json) };
}
