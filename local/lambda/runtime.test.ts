import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Engine, startEngine } from '../engine/engine';
import type { FunctionSpec, InvokeResult } from '../types';
import { createLambdaRuntime, type LambdaRuntime, lacksOwnSdk } from './runtime';
import { CRASH_SOURCE, SPIN_SOURCE, testSpec, writeFixture } from './test-fixtures';

// Fixtures live in the OS temp dir: outside this repository, so nothing resolves from its node_modules by accident.
const root = mkdtempSync(join(tmpdir(), 'lambda-fixtures-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fixture = (name: string, files: Record<string, string>) => writeFixture(root, name, files);
const spec = (logicalId: string, codeDir: string, extra: Partial<FunctionSpec> = {}) =>
  testSpec(logicalId, codeDir, 'nodejs20.x', extra);

const dirs = {
  echo: fixture('echo', {
    'index.mjs': `let n = 0;
export const handler = async (event, context) => {
  console.log('hello', event.who);
  return {
    n: ++n,
    event,
    foo: process.env.FOO,
    leak: process.env.LEAK,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(AWS_|_HANDLER|LAMBDA_|TZ|NODE_PATH)/.test(k))),
    context: {
      awsRequestId: context.awsRequestId, functionName: context.functionName, functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
      logGroupName: context.logGroupName, logStreamName: context.logStreamName,
      callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
      remaining: context.getRemainingTimeInMillis(),
    },
  };
};`,
  }),
  leaky: fixture('leaky', {
    'index.mjs': `export const handler = async () => { process.env.LEAK = 'from-leaky'; return process.env.FOO; };`,
  }),
  callback: fixture('callback', {
    'index.js': `exports.handler = function (event, context, callback) {
  if (event.mode === 'succeed') return context.succeed({ via: 'succeed' });
  setTimeout(() => (event.fail ? callback(new TypeError('bad input')) : callback(null, { via: 'callback', x: event.x })), 5);
};`,
  }),
  throws: fixture('throws', {
    'index.mjs': `class NotFound extends Error { constructor(m) { super(m); this.name = 'NotFound'; } }
export const handler = async (event) => {
  if (event.kind === 'string') throw 'plain';
  if (event.kind === 'date') return { at: new Date(0), fn: () => 1, u: undefined };
  if (event.kind === 'undefined') return undefined;
  throw new NotFound('item 42 is gone');
};`,
  }),
  spin: fixture('spin', { 'index.mjs': SPIN_SOURCE }),
  crash: fixture('crash', { 'index.mjs': CRASH_SOURCE }),
  // Shared counters: [0] in flight, [1] most in flight, [2] the gate (0 closed, 1 open).
  slow: fixture('slow', {
    'index.mjs': `export const handler = async (event) => {
  const c = new Int32Array(event.counter);
  const now = Atomics.add(c, 0, 1) + 1;
  for (let seen = Atomics.load(c, 1); now > seen; seen = Atomics.load(c, 1)) Atomics.compareExchange(c, 1, seen, now);
  Atomics.notify(c, 0);
  await Atomics.waitAsync(c, 2, 0).value;
  Atomics.sub(c, 0, 1);
  return now;
};`,
  }),
  v1: fixture('v1', {
    // Waits until the test opens the gate (a shared flag), so the test decides when this invocation ends.
    'index.mjs': `export const handler = async (e) => {
  if (e.gate) { const g = new Int32Array(e.gate); await Atomics.waitAsync(g, 0, 0).value; }
  return 'v1';
};`,
  }),
  v2: fixture('v2', { 'index.mjs': `export const handler = async () => 'v2';` }),
  noExport: fixture('no-export', { 'index.mjs': `export const other = 1;` }),
  syntax: fixture('syntax', { 'index.js': `exports.handler = async () => { return ;; )` }),
  nested: fixture('nested', { 'src/app.cjs': `module.exports = { api: { main: async () => 'nested' } };` }),
  sync: fixture('sync', { 'index.js': `exports.handler = (event) => ({ statusCode: 200 });` }),
  logs: fixture('logs', {
    'index.js': `exports.handler = async () => { process.stdout.write('raw '); process.stdout.write('line\\n'); console.error('oops', { a: 1 }); return 1; };`,
  }),
};

let runtime: LambdaRuntime | undefined;
let lines: string[] = [];
let waiters: { re: RegExp; ok: () => void }[] = [];
function start(functions: FunctionSpec[], extra: Partial<Parameters<typeof createLambdaRuntime>[0]> = {}) {
  lines = [];
  waiters = [];
  const log = (l: string) => {
    lines.push(l);
    const hit = waiters.filter((w) => w.re.test(l));
    waiters = waiters.filter((w) => !hit.includes(w));
    for (const w of hit) w.ok();
  };
  runtime = createLambdaRuntime({ functions, log, ...extra });
  return runtime;
}
/** Resolves when a log line matching `re` is written from now on. */
const nextLine = (re: RegExp) => new Promise<void>((ok) => waiters.push({ re, ok }));
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

const payload = (r: InvokeResult) => {
  if (!r.ok) throw new Error(`invocation failed: ${r.errorType}: ${r.errorMessage}`);
  return r.payload as Record<string, unknown>;
};

// ES2024 API, in Node since 16; the project's lib setting (ES2023) does not type it.
const waitAsync = (
  Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { value: unknown } }
).waitAsync;

/** Waits (without polling) until `want` invocations of the `slow` fixture are in flight. */
async function inFlight(c: Int32Array, want: number): Promise<void> {
  for (let n = Atomics.load(c, 0); n < want; n = Atomics.load(c, 0)) await waitAsync(c, 0, n).value;
}
function openGate(c: Int32Array): void {
  Atomics.store(c, 2, 1);
  Atomics.notify(c, 2);
}

describe('createLambdaRuntime', () => {
  describe('handlers', () => {
    it('runs an async ESM handler with the event, a Lambda context and the documented variables', async () => {
      const rt = start([spec('Echo', dirs.echo, { environment: { FOO: 'a' } })], {
        endpoints: { dynamodb: 'http://127.0.0.1:1234' },
      });
      const p = payload(await rt.invoke('Echo', { who: 'you' }));
      expect(p['event']).toEqual({ who: 'you' });
      const ctx = p['context'] as Record<string, unknown>;
      expect(ctx).toMatchObject({
        functionName: 'Test-Echo',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Test-Echo',
        memoryLimitInMB: '256',
        logGroupName: '/aws/lambda/Test-Echo',
        callbackWaitsForEmptyEventLoop: true,
      });
      expect(ctx['awsRequestId']).toMatch(/^[0-9a-f-]{36}$/);
      expect(ctx['logStreamName']).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(ctx['remaining']).toBeGreaterThan(2000);
      expect(ctx['remaining']).toBeLessThanOrEqual(3000);
      expect(p['env']).toMatchObject({
        AWS_LAMBDA_FUNCTION_NAME: 'Test-Echo',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/Test-Echo',
        AWS_LAMBDA_LOG_STREAM_NAME: ctx['logStreamName'],
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        _HANDLER: 'index.handler',
        LAMBDA_TASK_ROOT: dirs.echo,
        TZ: ':UTC',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1234',
        AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://127.0.0.1:1234',
        AWS_ACCESS_KEY_ID: 'local',
      });
      expect(p['foo']).toBe('a');
    });

    it('runs callback-style CommonJS handlers, context.succeed, and callback errors', async () => {
      const rt = start([spec('Cb', dirs.callback)]);
      expect(await rt.invoke('Cb', { x: 1 })).toEqual({ ok: true, payload: { via: 'callback', x: 1 } });
      expect(await rt.invoke('Cb', { mode: 'succeed' })).toEqual({ ok: true, payload: { via: 'succeed' } });
      expect(await rt.invoke('Cb', { fail: true })).toEqual({
        ok: false,
        errorType: 'TypeError',
        errorMessage: 'bad input',
      });
    });

    it('reports a thrown error by its name and message, without the stack (which goes to the log)', async () => {
      const rt = start([spec('Throws', dirs.throws)]);
      expect(await rt.invoke('Throws', {})).toEqual({
        ok: false,
        errorType: 'NotFound',
        errorMessage: 'item 42 is gone',
      });
      expect(await rt.invoke('Throws', { kind: 'string' })).toEqual({
        ok: false,
        errorType: 'string',
        errorMessage: 'plain',
      });
      expect(
        lines.some(
          (l) => l.includes('Invoke Error') && l.includes('"errorType":"NotFound"') && l.includes('at '),
        ),
      ).toBe(true);
    });

    it('serialises results as JSON, as Lambda does (dates to strings, functions and undefined dropped)', async () => {
      const rt = start([spec('Throws', dirs.throws)]);
      expect(await rt.invoke('Throws', { kind: 'date' })).toEqual({
        ok: true,
        payload: { at: '1970-01-01T00:00:00.000Z' },
      });
      expect(await rt.invoke('Throws', { kind: 'undefined' })).toEqual({ ok: true, payload: null });
    });

    it('rejects an event that cannot be serialised, and the environment stays usable', async () => {
      const rt = start([spec('Throws', dirs.throws)]);
      expect(await rt.invoke('Throws', { f: () => 1 })).toMatchObject({
        ok: false,
        errorType: 'InvalidRequestContentException',
      });
      expect(await rt.invoke('Throws', { kind: 'undefined' })).toEqual({ ok: true, payload: null });
    });

    it('finds nested module paths and export paths', async () => {
      const rt = start([spec('Nested', dirs.nested, { handler: 'src/app.api.main' })]);
      expect(await rt.invoke('Nested', {})).toEqual({ ok: true, payload: 'nested' });
    });

    it('answers null for a sync handler without callback, with a warning, as Lambda would', async () => {
      const rt = start([spec('Sync', dirs.sync)]);
      expect(await rt.invoke('Sync', {})).toEqual({ ok: true, payload: null });
      expect(lines.some((l) => l.includes('WARN') && l.includes('non-Promise'))).toBe(true);
    });

    it('fails init with Lambda error types: missing module, missing export, syntax error, bad handler', async () => {
      const rt = start([
        spec('Missing', dirs.noExport, { handler: 'nope.handler' }),
        spec('NoExport', dirs.noExport),
        spec('Syntax', dirs.syntax),
        spec('Malformed', dirs.echo, { handler: 'index' }),
      ]);
      expect(await rt.invoke('Missing', {})).toMatchObject({
        ok: false,
        errorType: 'Runtime.ImportModuleError',
      });
      expect(await rt.invoke('NoExport', {})).toEqual({
        ok: false,
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
      });
      expect(await rt.invoke('Syntax', {})).toMatchObject({
        ok: false,
        errorType: 'Runtime.UserCodeSyntaxError',
      });
      expect(await rt.invoke('Malformed', {})).toMatchObject({
        ok: false,
        errorType: 'Runtime.MalformedHandlerName',
      });
      expect(await rt.invoke('Unknown', {})).toMatchObject({
        ok: false,
        errorType: 'ResourceNotFoundException',
      });
    });

    it("finds no handler among inherited members (index.toString, a function's call)", async () => {
      const rt = start([
        spec('Inherited', dirs.nested, { handler: 'src/app.toString' }),
        spec('Ctor', dirs.nested, { handler: 'src/app.api.constructor' }),
        spec('Call', dirs.nested, { handler: 'src/app.api.main.call' }),
        spec('Esm', dirs.echo, { handler: 'index.handler.bind' }),
      ]);
      for (const [id, handler] of [
        ['Inherited', 'src/app.toString'],
        ['Ctor', 'src/app.api.constructor'],
        ['Call', 'src/app.api.main.call'],
        ['Esm', 'index.handler.bind'],
      ])
        expect(await rt.invoke(id!, {})).toEqual({
          ok: false,
          errorType: 'Runtime.HandlerNotFound',
          errorMessage: `${handler} is undefined or not exported`,
        });
    });

    it('runs inline (Code.ZipFile) functions', async () => {
      const inline: FunctionSpec = {
        ...spec('Inline', ''),
        inlineCode: 'exports.handler = async (e) => e.a + 1;',
      };
      delete (inline as { codeDir?: string }).codeDir;
      const rt = start([inline], { workDir: join(root, 'work') });
      expect(await rt.invoke('Inline', { a: 1 })).toEqual({ ok: true, payload: 2 });
    });
  });

  describe('logs', () => {
    it('prefixes function output and writes START, END and REPORT (Init Duration on the cold start only)', async () => {
      const rt = start([spec('Echo', dirs.echo)]);
      const first = payload(await rt.invoke('Echo', { who: 'one' }));
      await rt.invoke('Echo', { who: 'two' });
      const id = (first['context'] as { awsRequestId: string }).awsRequestId;
      const mine = lines.filter((l) => l.includes(id));
      expect(mine[0]).toBe(`[Test-Echo] START RequestId: ${id} Version: $LATEST`);
      expect(mine[1]).toMatch(
        new RegExp(`^\\[Test-Echo\\] \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tINFO\\thello one$`),
      );
      expect(mine[2]).toBe(`[Test-Echo] END RequestId: ${id}`);
      expect(mine[3]).toMatch(
        /^\[Test-Echo\] REPORT RequestId: \S+\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms$/,
      );
      const reports = lines.filter((l) => l.includes('REPORT'));
      expect(reports).toHaveLength(2);
      expect(reports[1]).not.toContain('Init Duration');
    });

    it('turns stdout writes into lines and console.error into ERROR lines', async () => {
      const rt = start([spec('Logs', dirs.logs)]);
      await rt.invoke('Logs', {});
      expect(lines).toContain('[Test-Logs] raw line');
      expect(lines.some((l) => /\tERROR\toops \{ a: 1 \}$/.test(l))).toBe(true);
    });
  });

  describe('isolation', () => {
    it('gives each function its own variables and never touches the host process.env', async () => {
      const rt = start([
        spec('A', dirs.leaky, { environment: { FOO: 'a' } }),
        spec('B', dirs.echo, { environment: { FOO: 'b' } }),
      ]);
      expect(await rt.invoke('A', {})).toEqual({ ok: true, payload: 'a' });
      const b = payload(await rt.invoke('B', {}));
      expect(b['foo']).toBe('b');
      expect(b['leak']).toBeUndefined();
      expect(process.env['LEAK']).toBeUndefined();
      expect(process.env['AWS_LAMBDA_FUNCTION_NAME']).toBeUndefined();
    });
  });

  describe('timeouts and crashes', () => {
    it('stops a busy loop at the timeout with Sandbox.Timedout and replaces the environment', async () => {
      const rt = start([spec('Spin', dirs.spin, { timeoutSeconds: 1 })]);
      expect(await rt.invoke('Spin', {})).toEqual({ ok: true, payload: 1 });
      const t0 = performance.now();
      const r = await rt.invoke('Spin', { spin: true });
      const took = performance.now() - t0;
      expect(r).toMatchObject({ ok: false, errorType: 'Sandbox.Timedout', timedOut: true });
      expect(r.ok ? '' : r.errorMessage).toMatch(/Task timed out after 1\.00 seconds$/);
      expect(took).toBeGreaterThanOrEqual(990);
      expect(took).toBeLessThan(2000);
      // The module counter restarts: a fresh environment served this one.
      expect(await rt.invoke('Spin', {})).toEqual({ ok: true, payload: 1 });
      expect(rt.stats()[0]).toMatchObject({ timeouts: 1 });
      expect(lines.some((l) => /REPORT .*\tStatus: timeout$/.test(l))).toBe(true);
    });

    it('reports process.exit as Runtime.ExitError, and keeps serving', async () => {
      const rt = start([spec('Crash', dirs.crash)]);
      const r = await rt.invoke('Crash', { how: 'exit' });
      expect(r).toMatchObject({ ok: false, errorType: 'Runtime.ExitError' });
      expect(r.ok ? '' : r.errorMessage).toMatch(/Runtime exited with error: exit status 3$/);
      expect(await rt.invoke('Crash', {})).toEqual({ ok: true, payload: 'fine' });
    });

    it('reports an uncaught exception by its type and an unhandled rejection as Runtime.UnhandledPromiseRejection', async () => {
      const rt = start([spec('Crash', dirs.crash)]);
      expect(await rt.invoke('Crash', { how: 'uncaught' })).toEqual({
        ok: false,
        errorType: 'RangeError',
        errorMessage: 'late',
      });
      expect(await rt.invoke('Crash', { how: 'rejection' })).toEqual({
        ok: false,
        errorType: 'Runtime.UnhandledPromiseRejection',
        errorMessage: 'Error: nobody catches me',
      });
      expect(await rt.invoke('Crash', {})).toEqual({ ok: true, payload: 'fine' });
      expect(rt.stats()[0]).toMatchObject({ crashes: 2 });
    });
  });

  describe('concurrency', () => {
    it('never runs more invocations at once than the reserved concurrency, and queues the rest', async () => {
      const rt = start([spec('Slow', dirs.slow, { reservedConcurrency: 2 })]);
      const counter = new SharedArrayBuffer(12);
      const c = new Int32Array(counter);
      const all = Promise.all(Array.from({ length: 8 }, () => rt.invoke('Slow', { counter })));
      await inFlight(c, 2);
      expect(rt.stats()[0]).toMatchObject({ environments: 2, busy: 2, queued: 6 });
      openGate(c);
      const results = await all;
      expect(results.every((r) => r.ok)).toBe(true);
      expect(c[1]).toBe(2); // most in flight, measured inside the handlers
      expect(c[0]).toBe(0);
      expect(rt.stats()[0]).toMatchObject({ environments: 2, peakBusy: 2, invocations: 8 });
    });

    it('scales out to the local cap when nothing is reserved', async () => {
      const rt = start([spec('Slow', dirs.slow)], { defaultConcurrency: 3 });
      const counter = new SharedArrayBuffer(12);
      const c = new Int32Array(counter);
      const all = Promise.all(Array.from({ length: 6 }, () => rt.invoke('Slow', { counter })));
      await inFlight(c, 3);
      expect(rt.stats()[0]).toMatchObject({ environments: 3, busy: 3, queued: 3 });
      openGate(c);
      await all;
      expect(c[1]).toBe(3);
    });

    it('throttles a function whose reserved concurrency is 0', async () => {
      const rt = start([spec('Slow', dirs.slow, { reservedConcurrency: 0 })]);
      expect(await rt.invoke('Slow', {})).toMatchObject({ ok: false, errorType: 'TooManyRequestsException' });
    });

    it('reuses the warm environment, spawning nothing before first use and no spare for one-at-a-time use', async () => {
      const rt = start([spec('Echo', dirs.echo), spec('Unused', dirs.echo)]);
      expect(rt.stats().map((s) => s.environments)).toEqual([0, 0]);
      const ns: unknown[] = [];
      for (let i = 0; i < 5; i++) ns.push(payload(await rt.invoke('Echo', {}))['n']);
      expect(ns).toEqual([1, 2, 3, 4, 5]);
      const [echo, unused] = rt.stats();
      expect(echo).toMatchObject({ environments: 1, coldStarts: 1 });
      expect(unused).toMatchObject({ environments: 0, coldStarts: 0 });
    });

    it('keeps one spare once an invocation has waited for a busy environment', async () => {
      const rt = start([spec('Slow', dirs.slow)], { defaultConcurrency: 4 });
      const counter = new SharedArrayBuffer(12);
      const c = new Int32Array(counter);
      const both = Promise.all([rt.invoke('Slow', { counter }), rt.invoke('Slow', { counter })]);
      await inFlight(c, 2);
      // The second invocation waited for the first one's environment: a third is started as the spare.
      await vi.waitFor(() => expect(rt.stats()[0]).toMatchObject({ environments: 3, busy: 2, idle: 1 }));
      openGate(c);
      expect((await both).every((r) => r.ok)).toBe(true);
    });
  });

  describe('idle environments', () => {
    it('stops idle environments on request and cold-starts again on the next invocation', async () => {
      const rt = start([spec('Echo', dirs.echo)]);
      await rt.invoke('Echo', {});
      await rt.invoke('Echo', {});
      const before = rt.stats()[0]!;
      expect(rt.reapIdle(60_000)).toBe(0);
      const reaped = rt.reapIdle(0);
      expect(reaped).toBeGreaterThanOrEqual(1);
      expect(rt.stats()[0]!.environments).toBe(before.environments - reaped);
      expect(payload(await rt.invoke('Echo', {}))['n']).toBe(1);
    });
  });

  describe('overhead', () => {
    it('adds well under a millisecond per warm invocation of a trivial handler', async () => {
      const rt = start([spec('V2', dirs.v2, { reservedConcurrency: 1 })], { platformLines: false });
      for (let i = 0; i < 500; i++) await rt.invoke('V2', {});
      const times: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const t = performance.now();
        await rt.invoke('V2', { path: '/items/1', headers: { accept: 'application/json' } });
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const median = times[times.length >> 1]!;
      console.info(`warm invoke round trip: median ${(median * 1000).toFixed(0)} µs`);
      expect(median).toBeLessThan(1);
    });
  });

  describe('reload', () => {
    it('sends new invocations to the new code while the old environment finishes its invocation', async () => {
      const rt = start([spec('Fn', dirs.v1)]);
      const gate = new SharedArrayBuffer(4);
      const started = nextLine(/START RequestId/);
      const inFlight = rt.invoke('Fn', { gate });
      await started;
      let drained = false;
      const reloaded = rt.reload('Fn', dirs.v2).then(() => {
        drained = true;
      });
      expect(await rt.invoke('Fn', {})).toEqual({ ok: true, payload: 'v2' });
      expect(drained).toBe(false);
      const g = new Int32Array(gate);
      Atomics.store(g, 0, 1);
      Atomics.notify(g, 0);
      expect(await inFlight).toEqual({ ok: true, payload: 'v1' });
      await reloaded;
      expect(drained).toBe(true);
      expect(await rt.invoke('Fn', {})).toEqual({ ok: true, payload: 'v2' });
    });

    it('takes a whole new spec, e.g. changed variables after a re-synth', async () => {
      const rt = start([spec('Echo', dirs.echo, { environment: { FOO: 'old' } })]);
      expect(payload(await rt.invoke('Echo', {}))['foo']).toBe('old');
      await rt.reload('Echo', spec('Echo', dirs.echo, { environment: { FOO: 'new' } }));
      expect(payload(await rt.invoke('Echo', {}))['foo']).toBe('new');
    });
  });

  describe('stop', () => {
    it('ends in-flight and queued invocations instead of leaving them pending', async () => {
      const rt = start([spec('Fn', dirs.v1, { reservedConcurrency: 1 })]);
      const gate = new SharedArrayBuffer(4);
      const started = nextLine(/START RequestId/);
      const inFlight = rt.invoke('Fn', { gate });
      const queued = rt.invoke('Fn', { gate });
      await started;
      await rt.stop();
      expect((await inFlight).ok).toBe(false);
      expect(await queued).toMatchObject({ ok: false, errorType: 'Runtime.Stopped' });
      expect(await rt.invoke('Fn', {})).toMatchObject({ ok: false, errorType: 'Runtime.Stopped' });
    });
  });
});

describe('code that externalises @aws-sdk, outside this repository', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({});
  });
  afterAll(async () => {
    await engine?.stop();
  });

  const esm = fixture('ext-esm', {
    'index.mjs': `import { DynamoDBClient, CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async () => {
  await doc.send(new CreateTableCommand({ TableName: 'ext', BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
  await doc.send(new PutCommand({ TableName: 'ext', Item: { id: 'a', v: 1 } }));
  const got = await doc.send(new GetCommand({ TableName: 'ext', Key: { id: 'a' } }));
  return { item: got.Item, tables: (await doc.send(new ListTablesCommand({}))).TableNames };
};`,
  });
  const cjs = fixture('ext-cjs', {
    'index.js': `const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async () => (await client.send(new ListTablesCommand({}))).TableNames;`,
  });

  it('is detected as needing the fallback', () => {
    expect(lacksOwnSdk(esm)).toBe(true);
    expect(lacksOwnSdk(process.cwd())).toBe(false);
  });

  it('resolves the twin SDK from ESM and CommonJS and reaches the local engine through the endpoint variable', async () => {
    const rt = start([spec('Esm', esm, { timeoutSeconds: 10 }), spec('Cjs', cjs, { timeoutSeconds: 10 })], {
      endpoints: { dynamodb: engine.endpoint },
    });
    expect(await rt.invoke('Esm', {})).toEqual({
      ok: true,
      payload: { item: { id: 'a', v: 1 }, tables: ['ext'] },
    });
    expect(await rt.invoke('Cjs', {})).toEqual({ ok: true, payload: ['ext'] });
  });
});
