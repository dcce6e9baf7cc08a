/**
 * IAM enforcement in the whole twin: our app's functions work with their grants, and the bug we shipped (the
 * replace function's role allowing PutItem where it calls UpdateItem) fails locally as it would on AWS.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../engine/dynamodb-local';
import { startTwin, type Twin, type TwinOptions } from '../twin';
import type { CfnTemplate } from '../types';

let dataDir: string;
let port: number;
const running: Twin[] = [];

async function start(opts: TwinOptions, lines: string[]) {
  await stopAll(); // a failed test may have left one running on the port
  const twin = await startTwin({ port, dataDir, inMemory: true, log: (l) => lines.push(l), ...opts });
  running.push(twin);
  const auth = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${await twin.token({ sub: 'alice', tenant: 'acme' })}`,
    'content-type': 'application/json',
  };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${twin.url}${path}`, {
      method,
      headers: { ...auth, ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  return { twin, call };
}

async function stopAll() {
  while (running.length) await running.pop()?.stop();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twin-iam-'));
  // The same port on every start: the synthesized authorizer trusts the issuer URL of the first one.
  port = await freePort();
});

afterAll(async () => {
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('IAM enforcement in the twin', { timeout: 180_000 }, () => {
  it('lets every operation of our app through with the grants the stack gives', async () => {
    const lines: string[] = [];
    const { twin, call } = await start({}, lines);
    const created = await call('POST', '/items', { name: 'pen', price: 2 }, { 'idempotency-key': 'k1' });
    expect(created.status).toBe(201);
    const id = String(created.body['id']);
    expect((await call('GET', `/items/${id}`)).status).toBe(200);
    expect((await call('GET', '/items?sort=price')).status).toBe(200);
    expect((await call('PATCH', `/items/${id}`, { price: 3 }, { 'if-match': '"1"' })).status).toBe(200);
    expect((await call('PUT', `/items/${id}`, { name: 'pen', price: 4 })).status).toBe(200);
    // No stream poller yet, so no entries: 404 with a Query that IAM allowed (a denial would be a 500).
    expect([200, 404]).toContain((await call('GET', `/items/${id}/history`)).status);
    expect((await call('DELETE', `/items/${id}`)).status).toBe(204);
    expect(lines.some((l) => l.startsWith('IAM: DynamoDB calls checked'))).toBe(true);
    expect(lines.filter((l) => l.includes('IAM denied') || /IAM: .*(not checked|unchecked)/.test(l))).toEqual(
      [],
    );
    // Every call was checked inside its environment: none needed the proxy's thread.
    expect(twin.iam?.stats()).toEqual({ allowed: 0, denied: 0, unchecked: 0 });
    await stopAll();
  });

  it('fails a missing grant as AWS would: replace allowed PutItem but calls UpdateItem', async () => {
    // The assembly of the first start, with the replace role's UpdateItem turned back into PutItem.
    const assembly = join(dataDir, 'broken.out');
    cpSync(join(dataDir, 'cdk.out'), assembly, { recursive: true });
    const file = readdirSync(assembly).find((f) => f.endsWith('.template.json')) as string;
    const template = JSON.parse(readFileSync(join(assembly, file), 'utf8')) as CfnTemplate;
    const roleAttr = template.Resources['ReplaceFunction']?.Properties?.['Role'] as {
      'Fn::GetAtt': string[];
    };
    const roleId = roleAttr['Fn::GetAtt'][0] as string;
    let edited = 0;
    for (const res of Object.values(template.Resources)) {
      if (res.Type !== 'AWS::IAM::Policy' || !JSON.stringify(res.Properties?.['Roles']).includes(roleId))
        continue;
      const text = JSON.stringify(res.Properties).replaceAll('"dynamodb:UpdateItem"', '"dynamodb:PutItem"');
      (res as { Properties: unknown }).Properties = JSON.parse(text);
      edited++;
    }
    expect(edited).toBe(1);
    writeFileSync(join(assembly, file), JSON.stringify(template));

    const lines: string[] = [];
    const { twin, call } = await start({ assembly }, lines);
    const id = String((await call('POST', '/items', { name: 'pen', price: 2 })).body['id']);
    const put = await call('PUT', `/items/${id}`, { name: 'pen', price: 4 });
    expect(put.status).toBe(500);
    const denial = lines.find((l) => l.includes('IAM denied ReplaceFunction'));
    expect(denial).toContain('dynamodb:UpdateItem on arn:aws:dynamodb:us-east-1:000000000000:table/');
    expect(
      lines.some(
        (l) =>
          l.includes('AccessDeniedException') &&
          l.includes('is not authorized to perform: dynamodb:UpdateItem'),
      ),
    ).toBe(true);
    // The other functions are untouched.
    expect((await call('PATCH', `/items/${id}`, { price: 3 })).status).toBe(200);
    // The environment denied it itself, with the proxy's message and log line.
    expect(twin.iam?.stats().denied).toBe(0);
    await stopAll();

    // --no-iam: the same assembly passes, as it did before the twin enforced IAM.
    const off: string[] = [];
    const second = await start({ assembly, enforceIam: false }, off);
    const id2 = String((await second.call('POST', '/items', { name: 'pen', price: 2 })).body['id']);
    expect((await second.call('PUT', `/items/${id2}`, { name: 'pen', price: 4 })).status).toBe(200);
    expect(off.some((l) => l.includes('IAM'))).toBe(false);
    await stopAll();
  });
});
