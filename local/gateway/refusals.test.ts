/**
 * The gateway says in its log why it answered a request itself, one line per refusal naming the request id,
 * method and path, in the words of API Gateway's execution log where it has some.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InvokeResult } from '../types';
import { allow, echo, type Running, start, stopAll } from './test-harness';

afterEach(stopAll);

/** The gateway's refusal lines for a response (by its request id). */
function reasons(g: Running, r: Response): string[] {
  const id = r.headers.get('x-amzn-requestid');
  expect(id).toBeTruthy();
  return g.logs.filter((l) => l.startsWith(`[gateway] ${id} `));
}

async function refused(g: Running, path: string, init: RequestInit = {}): Promise<[number, string]> {
  const r = await fetch(`${g.base}${path}`, init);
  await r.arrayBuffer();
  const lines = reasons(g, r);
  expect(lines).toHaveLength(1);
  return [r.status, lines[0]!];
}

const deny = (): InvokeResult => {
  const a = allow();
  const payload = structuredClone(a.payload);
  payload.policyDocument.Statement[0]!.Effect = 'Deny';
  return { ok: true, payload };
};

describe('Gateway: why a request was refused, in the log', () => {
  it('API keys: missing, unknown, and not in a usage plan for the stage', async () => {
    const g = await start();
    const [s1, missing] = await refused(g, '/dev/keyed');
    expect(s1).toBe(403);
    expect(missing).toMatch(
      /^\[gateway\] [0-9a-f-]{36} GET \/dev\/keyed 403: API Key not authorized because method 'GET \/keyed' requires API Key/,
    );
    const [, unknown] = await refused(g, '/dev/keyed', {
      headers: { 'x-api-key': 'no-such-key-12345678901' },
    });
    expect(unknown).toContain('Invalid API Key identifier specified (****8901)');
    expect(unknown).not.toContain('no-such-key');
    const [, orphan] = await refused(g, '/dev/keyed', {
      headers: { 'x-api-key': 'orphan-key-0123456789ab' },
    });
    expect(orphan).toMatch(
      /API Key \S+ not authorized because method 'GET \/keyed' requires API Key and API Key is not associated with a Usage Plan for API Stage abc123defg\/dev$/,
    );
  });

  it('throttling and quota (429)', async () => {
    const g = await start();
    const key = { headers: { 'x-api-key': 'throttled-key-0123456789' } };
    for (let i = 0; i < 2; i++) expect((await fetch(`${g.base}/dev/keyed`, key)).status).toBe(200);
    const [s, throttled] = await refused(g, '/dev/keyed', key);
    expect(s).toBe(429);
    expect(throttled).toMatch(
      /429: Throttling limit exceeded: usage plan PlanThrottle, API Key KeyThrottled$/,
    );
    const quota = { headers: { 'x-api-key': 'quota-key-0123456789abc' } };
    for (let i = 0; i < 2; i++) expect((await fetch(`${g.base}/dev/keyed`, quota)).status).toBe(200);
    const [, exceeded] = await refused(g, '/dev/keyed', quota);
    expect(exceeded).toMatch(
      /429: Quota exceeded for usage plan PlanQuota, API Key KeyQuota: 2 requests per DAY$/,
    );
  });

  it('no route (Missing Authentication Token), unknown stage, 401 and authorizer deny', async () => {
    const g = await start((fn, ev) => (fn === 'AuthFn' ? deny() : echo(fn, ev)));
    const [, noRoute] = await refused(g, '/dev/nope', { method: 'DELETE' });
    expect(noRoute).toMatch(/ DELETE \/dev\/nope 403: Missing Authentication Token: /);
    const [, noStage] = await refused(g, '/nostage/x');
    expect(noStage).toMatch(/ GET \/nostage\/x 403: Forbidden: /);
    const [s401, unauthorized] = await refused(g, '/dev/secure');
    expect(s401).toBe(401);
    expect(unauthorized).toMatch(
      /401: Unauthorized request: [0-9a-f-]{36} \(authorizer ReqAuth: an identity source/,
    );
    const [s403, denied] = await refused(g, '/dev/secure', { headers: { Authorization: 'x' } });
    expect(s403).toBe(403);
    expect(denied).toMatch(
      /403: Authorizer ReqAuth policy for principal user-1 explicitly denies execute-api:Invoke on arn:/,
    );
  });

  it('413 for the body and for the Lambda event, 502 for a malformed result, 504 for a timeout', async () => {
    const g = await start((fn, ev) => {
      if (ev['path'] === '/slow') return new Promise<InvokeResult>(() => {});
      return ev['path'] === '/items/bad'
        ? { ok: true, payload: { statusCode: 'two hundred' } }
        : echo(fn, ev);
    });
    const [, body] = await refused(g, '/dev/items/1', {
      method: 'PUT',
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(body).toMatch(/413: Request body of 10485761 bytes exceeds the 10485760-byte payload limit$/);
    const [, event] = await refused(g, '/dev/items/1', {
      method: 'PUT',
      body: Buffer.alloc(7 * 1024 * 1024, 97),
    });
    expect(event).toMatch(
      /413: Lambda invocation payload of \d+ bytes is not smaller than 6291456 bytes \(Request Too Long\)$/,
    );
    const [, malformed] = await refused(g, '/dev/items/bad');
    expect(malformed).toMatch(
      /502: Execution failed due to configuration error: Malformed Lambda proxy response: statusCode/,
    );
    const [s504, timeout] = await refused(g, '/dev/slow');
    expect(s504).toBe(504);
    expect(timeout).toMatch(/ GET \/dev\/slow 504: Execution failed due to a timeout error$/);
  });

  it('logs nothing more than the access line for a request it serves', async () => {
    const g = await start();
    const r = await fetch(`${g.base}/dev/items`);
    expect(r.status).toBe(200);
    expect(reasons(g, r)).toEqual([]);
  });
});
