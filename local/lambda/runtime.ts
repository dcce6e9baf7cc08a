/**
 * The local Lambda service: one {@link FunctionPool} of worker-thread execution environments per function.
 *
 * Emulated: handler resolution (`file.export`, `.js`/`.mjs`/`.cjs`, ESM and CommonJS), async and callback handlers
 * (and `context.done/succeed/fail`), the documented context fields, the defined environment variables (see
 * `env.ts`), warm reuse, scaling up to reserved concurrency (else a local cap) with queueing, a pre-warmed spare,
 * the function timeout (`Sandbox.Timedout`, environment replaced), crashes (`Runtime.ExitError`,
 * `Runtime.UnhandledPromiseRejection`, the thrown error's type for uncaught exceptions), init errors
 * (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, `Runtime.UserCodeSyntaxError`), the heap limit from
 * `MemorySize`, the 6 MB response limit (the result's JSON over 6,291,556 bytes: `Function.ResponseSizeTooLarge`),
 * results serialised as JSON, START/END/REPORT lines, `@aws-sdk/*` provided from the twin's node_modules for code
 * that externalises it, hot reload with draining.
 *
 * Not emulated: `callbackWaitsForEmptyEventLoop` (we answer as soon as the callback runs, as if it were false);
 * a sync handler's return value (Lambda answers null; we do too, with a warning); CPU scaling with memory;
 * `/tmp` isolation (functions share the host's /tmp); per-environment time zones (worker threads share the
 * host's); X-Ray; layers; extensions; async invocation, retries and destinations. The 6 MB request limit
 * (the event as JSON) is enforced where events are built, as the twin has no Invoke API of its own: the gateway
 * answers 413 Request Too Long (`local/gateway/README.md`), stream batches are cut at 6 MB (`local/streams`).
 * Max Memory Used is the worker's V8 heap (total + external), not a process RSS.
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FunctionSpec, Invoke, InvokeResult, Log } from '../types';
import { chooseNode, type NodeChoice } from './node-select';
import { FunctionPool, type PoolStats } from './pool';
import { runtimeHosts } from './runtime-hosts';

export interface LambdaRuntimeOptions {
  readonly functions: readonly FunctionSpec[];
  /** Function output and platform lines, each prefixed with `[<functionName>] `. @default silent */
  readonly log?: Log;
  /** Endpoints handed to every environment (`AWS_ENDPOINT_URL_DYNAMODB`, `..._STREAMS`). */
  readonly endpoints?: { readonly dynamodb?: string; readonly dynamodbStreams?: string };
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * Environments of a function without reserved concurrency. On 2 cores, 4 per function served no more
   * requests than 2 and took more memory (bench section 2). @default 2
   */
  readonly defaultConcurrency?: number;
  /** Lambda's init phase limit. @default 10_000 */
  readonly initTimeoutMs?: number;
  /** START/END/REPORT lines. @default true */
  readonly platformLines?: boolean;
  /**
   * Provide the twin's `@aws-sdk/*` to code that cannot resolve it from its own folder. `auto` registers the
   * ESM resolve hook only for code folders with no `node_modules/@aws-sdk` above them. @default 'auto'
   */
  readonly sdkFallback?: 'auto' | 'always' | 'never';
  /** Where inline (`Code.ZipFile`) functions are written. @default a temp dir */
  readonly workDir?: string;
  /** Stop environments idle this long (checked every minute at most). 0 keeps them. @default 600_000 */
  readonly idleTimeoutMs?: number;
  /**
   * The Node.js that runs a declared runtime's environments. @default `chooseNode` (the twin's own Node for
   * its major, else the `node-<platform>-<arch>` package, else `TWIN_NODE_<major>`, else the twin's with a warning)
   */
  readonly nodeFor?: (runtime: string) => NodeChoice;
}

export interface FunctionStats extends PoolStats {
  readonly logicalId: string;
  readonly functionName: string;
  /** The Node.js its environments run on (`v24.21.0`). */
  readonly nodeVersion: string;
}

export interface LambdaRuntime {
  readonly invoke: Invoke;
  /**
   * Swaps a function's environments for new ones: same spec (code re-read), a new code folder, or a whole new
   * spec (e.g. after a re-synth changed its variables). Resolves when the old environments are gone.
   */
  reload(logicalId: string, next?: string | FunctionSpec): Promise<void>;
  /** Stops environments idle for at least `idleForMs`; returns how many. */
  reapIdle(idleForMs: number): number;
  /** Terminates every environment. */
  stop(): Promise<void>;
  stats(): FunctionStats[];
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** The twin's node_modules holding `@aws-sdk/client-dynamodb` (nearest above this file). */
export function findRuntimeNodeModules(from: string = HERE): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const nm = join(dir, 'node_modules');
    if (existsSync(join(nm, '@aws-sdk', 'client-dynamodb'))) return nm;
    if (dirname(dir) === dir) return join(from, 'node_modules');
  }
}

/** True when code in `codeDir` would not find `@aws-sdk/client-dynamodb` by walking up its folders. */
export function lacksOwnSdk(codeDir: string): boolean {
  for (let dir = resolve(codeDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '@aws-sdk', 'client-dynamodb'))) return false;
    if (dirname(dir) === dir) return true;
  }
}

/**
 * Starts the local Lambda service for the given functions. Nothing is spawned until a function is invoked.
 * @example
 * const lambda = createLambdaRuntime({ functions: functionSpecs(stack, resolver), endpoints: { dynamodb } });
 * const r = await lambda.invoke('GetItemFn', event);
 */
export function createLambdaRuntime(opts: LambdaRuntimeOptions): LambdaRuntime {
  const log = opts.log ?? (() => {});
  const runtimeNodeModules = findRuntimeNodeModules();
  const fallbackMode = opts.sdkFallback ?? 'auto';
  const fallbackCache = new Map<string, boolean>();
  let workDir = opts.workDir;
  const inlineDir = (logicalId: string, source: string): string => {
    workDir ??= mkdtempSync(join(tmpdir(), 'twin-lambda-'));
    const dir = join(workDir, 'inline', logicalId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.js'), source);
    return dir;
  };
  const settings = {
    bootstrap: new URL('./bootstrap.mjs', pathToFileURL(join(HERE, 'x'))),
    hooks: new URL('./sdk-hooks.mjs', pathToFileURL(join(HERE, 'x'))),
    fallbackParent: pathToFileURL(join(dirname(runtimeNodeModules), 'twin-fallback.mjs')).href,
    runtimeNodeModules,
    region: opts.region ?? 'us-east-1',
    endpoints: opts.endpoints ?? {},
    defaultConcurrency: opts.defaultConcurrency ?? 2,
    initTimeoutMs: opts.initTimeoutMs ?? 10_000,
    platformLines: opts.platformLines ?? true,
    needsSdkFallback: (codeDir: string) => {
      if (fallbackMode !== 'auto') return fallbackMode === 'always';
      let v = fallbackCache.get(codeDir);
      if (v === undefined) {
        v = lacksOwnSdk(codeDir);
        fallbackCache.set(codeDir, v);
      }
      return v;
    },
    hostFor: (runtime: string) => hosts.hostFor(runtime),
    log,
  };
  const withCode = (spec: FunctionSpec): FunctionSpec =>
    spec.codeDir || spec.inlineCode === undefined
      ? spec
      : { ...spec, codeDir: inlineDir(spec.logicalId, spec.inlineCode) };
  const hosts = runtimeHosts(
    opts.functions,
    opts.nodeFor ?? ((runtime) => chooseNode(runtime, { nodeModules: runtimeNodeModules })),
    log,
  );
  const pools = new Map<string, FunctionPool>();
  for (const spec of opts.functions) pools.set(spec.logicalId, new FunctionPool(withCode(spec), settings));
  const reapIdle = (idleForMs: number) => {
    let n = 0;
    for (const p of pools.values()) n += p.reap(idleForMs);
    return n;
  };
  const idleTimeoutMs = opts.idleTimeoutMs ?? 600_000;
  const reaper =
    idleTimeoutMs > 0
      ? setInterval(() => reapIdle(idleTimeoutMs), Math.min(idleTimeoutMs, 60_000))
      : undefined;
  reaper?.unref();

  const invoke: Invoke = (logicalId, event) => {
    const pool = pools.get(logicalId);
    if (!pool) {
      return Promise.resolve<InvokeResult>({
        ok: false,
        errorType: 'ResourceNotFoundException',
        errorMessage: `Function not found: ${logicalId}`,
      });
    }
    return pool.invoke(event);
  };

  return {
    invoke,
    reload(logicalId, next) {
      const pool = pools.get(logicalId);
      if (!pool) return Promise.reject(new Error(`no function ${logicalId}`));
      fallbackCache.clear();
      const spec = pool.functionSpec;
      if (typeof next === 'object') return pool.reload(withCode(next));
      return pool.reload(next ? { ...spec, codeDir: resolve(next) } : spec);
    },
    reapIdle,
    async stop() {
      clearInterval(reaper);
      await Promise.all([...pools.values()].map((p) => p.stop()));
      await hosts.stop();
    },
    stats() {
      return [...pools.entries()].map(([logicalId, p]) => ({
        logicalId,
        functionName: p.functionSpec.functionName,
        nodeVersion: hosts.versionFor(p.functionSpec.runtime),
        ...p.stats(),
      }));
    },
  };
}
