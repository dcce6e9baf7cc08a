/**
 * The twin serving a cloud assembly that is not ours (`npm start -- --assembly <dir>`): a hand-written
 * template with a greedy proxy route, an IAM policy, an unsupported resource, and a handler that externalizes
 * the AWS SDK v3, as most CDK apps' handlers do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type Twin } from '../local/twin';

let twin: Twin;
let dataDir: string;
const logs: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twin-other-'));
  twin = await startTwin({
    port: 0,
    dataDir,
    inMemory: true,
    assembly: join(import.meta.dirname, 'fixtures', 'other-app'),
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await twin?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const at = (path: string, init?: RequestInit) => fetch(`${twin.url}/${path}`, init);

describe('another CDK app from its cloud assembly', () => {
  it('serves its stage and greedy route, and warns about resources it does not emulate', async () => {
    expect(twin.url).toMatch(/\/prod$/);
    const r = await at('env');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ table: 'NotesApp-NotesTable', fn: expect.stringContaining('Handler') });
    expect(logs.some((l) => l.includes('Topic') && l.includes('AWS::SNS::Topic'))).toBe(true);
  });

  it('gives handlers that externalize @aws-sdk/* the runtime SDK, reaching the local engine', async () => {
    expect((await at('notes/n1', { method: 'PUT', body: 'hello' })).status).toBe(204);
    const r = await at('notes/n1');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('hello');
  });

  it("enforces the function's IAM policy: an action it was not granted is AccessDenied", async () => {
    const r = await at('notes/n1', { method: 'DELETE' });
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: 'AccessDeniedException' });
    expect((await at('notes/n1')).status).toBe(200);
  });

  it('answers a timed-out handler with 502 and replaces its environment', async () => {
    const r = await at('slow');
    expect(r.status).toBe(502);
    expect(await r.json()).toEqual({ message: 'Internal server error' });
    expect((await at('notes/n1')).status).toBe(200);
  });

  it('answers a crashed handler with 502 and serves the next request from a new environment', async () => {
    const r = await at('crash');
    expect(r.status).toBe(502);
    expect((await at('notes/n1')).status).toBe(200);
  });
});
