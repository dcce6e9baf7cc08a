/**
 * The engine's supervision on a real DynamoDB Local: a killed JVM is noticed, restarted on the same port and
 * data, and an in-memory one is reported as fatal instead.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDB } from '../../test/support/app-client';
import { type Engine, EngineStartError, startDynamoDBLocal, startEngine } from './index';

const dirs: string[] = [];
const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const client = (endpoint: string) =>
  new DynamoDB({ endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

describe('engine supervision', () => {
  it('restarts a killed DynamoDB Local on the same port with its data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-sup-'));
    dirs.push(dir);
    const lines: string[] = [];
    const engine = await startEngine({ dataDir: dir, log: (l) => lines.push(l) });
    engines.push(engine);
    const db = client(engine.endpoint);
    await db.call('CreateTable', {
      TableName: 'kept',
      KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    await db.call('PutItem', { TableName: 'kept', Item: { k: { S: 'a' } } });
    const first = engine.pid();
    engine.kill('SIGKILL');
    await until(() => (engine.state() === 'restarting' ? true : undefined), 5_000, 'noticed');
    await until(() => (engine.state() === 'up' ? true : undefined), 60_000, 'restarted');
    expect(engine.restarts()).toBe(1);
    expect(engine.pid()).not.toBe(first);
    const got = await client(engine.endpoint).call<{ Item?: unknown }>('GetItem', {
      TableName: 'kept',
      Key: { k: { S: 'a' } },
    });
    expect(got.Item).toEqual({ k: { S: 'a' } });
    expect(lines.some((l) => l.includes('exited unexpectedly (killed by SIGKILL)'))).toBe(true);
    expect(lines.some((l) => l.includes('is back on port'))).toBe(true);
  });

  it('reports an in-memory engine that dies as fatal instead of restarting it empty', async () => {
    let fatal: Error | undefined;
    const engine = await startEngine({ log: () => {}, onFatal: (e) => (fatal = e) });
    engines.push(engine);
    engine.kill('SIGKILL');
    const error = await until(() => fatal, 5_000, 'fatal');
    expect(error.message).toMatch(/in memory.*not restarted/);
    expect(engine.state()).toBe('failed');
  });

  it('gives up after its bounded attempts with one fatal error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-sup-'));
    dirs.push(dir);
    let fatal: Error | undefined;
    const engine = await startEngine({
      dataDir: dir,
      log: () => {},
      onFatal: (e) => (fatal = e),
      restartDelaysMs: [10, 10],
      // The restarts find the data dir gone and a file in its place: DynamoDB Local cannot start.
    });
    engines.push(engine);
    rmSync(dir, { recursive: true, force: true });
    (await import('node:fs')).writeFileSync(dir, 'not a directory');
    engine.kill('SIGKILL');
    const error = await until(() => fatal, 60_000, 'fatal');
    expect(error.message).toMatch(/could not be restarted after 2 attempts/);
    expect(engine.state()).toBe('failed');
  });
});

describe('the data dir lock', () => {
  it('waits for an engine that is on its way out (a twin restarted right after it was killed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-lock-'));
    dirs.push(dir);
    const dying = spawn('sleep', ['1'], { stdio: 'ignore' });
    writeFileSync(join(dir, 'engine.lock'), String(dying.pid));
    const engine = await startDynamoDBLocal({ dataDir: dir });
    await engine.stop();
    expect(dying.exitCode).toBe(0);
  });

  it('still refuses an engine that keeps the data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-lock-'));
    dirs.push(dir);
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'engine.lock'), String(holder.pid));
      await expect(startDynamoDBLocal({ dataDir: dir, lockWaitMs: 300 })).rejects.toBeInstanceOf(
        EngineStartError,
      );
    } finally {
      holder.kill();
    }
  });
});
