/**
 * The IAM check inside an environment (`guard.ts`), installed in this thread in front of a real DynamoDB Local:
 * clients that connect through an `http.Agent` are answered here, with the proxy's verdicts; whatever the
 * guard cannot frame still reaches the proxy. The proxy's counters tell which of the two answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentials,
  DynamoDB,
  type DynamoDBError,
  denied,
  engineWithTable,
  principal,
  T,
  writerSpec,
} from '../../test/support/iam';
import type { DynamoDBLocal } from '../engine/dynamodb-local';
import { buildIamGuard } from './build-guard';
import { type IamGuardConfig, install } from './guard';
import { type IamProxy, startIamProxy } from './proxy';

const writer = principal('Writer', [
  { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: T },
]);
const reader = principal('Reader', [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: T }]);

let engine: DynamoDBLocal;
let proxy: IamProxy;
let uninstall: () => void;
const lines: string[] = [];
const guardLines: string[] = [];

beforeAll(async () => {
  engine = await engineWithTable();
  proxy = await startIamProxy({
    engineEndpoint: engine.endpoint,
    log: (l) => lines.push(l),
    principals: [writer, reader],
    guardModule: 'file:///guard.mjs',
  });
  const spec = proxy.withEndpoint(writerSpec());
  uninstall = install(spec.preload as IamGuardConfig, (l) => guardLines.push(l));
});

afterAll(async () => {
  uninstall?.();
  await proxy?.stop();
  await engine?.stop();
});

const endpoint = () => proxy.endpointFor('Writer');
const update = (n: string) => ({
  TableName: 'Tbl',
  Key: { pk: { S: 'a' } },
  UpdateExpression: 'SET n = :n',
  ExpressionAttributeValues: { ':n': { N: n } },
});

/** One raw HTTP/1.1 request through an agent; `chunked` sends the body without Content-Length. */
function raw(path: string, target: string, body: unknown, agent: Agent, chunked = false) {
  const url = new URL(path, proxy.url);
  return new Promise<{ status: number; json: Record<string, unknown> }>((ok, fail) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${target}`,
          // DynamoDB Local wants one, and checks no signature.
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20261124/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          ok({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString() || '{}') }),
        );
      },
    );
    req.on('error', fail);
    const text = JSON.stringify(body);
    if (chunked) {
      req.write(text.slice(0, 10));
      req.end(text.slice(10));
    } else {
      req.setHeader('content-length', Buffer.byteLength(text));
      req.end(text);
    }
  });
}

describe('the IAM guard inside an environment', () => {
  it('builds into one module that exports install', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-guard-'));
    const mod = (await import(buildIamGuard(dir))) as { install?: unknown };
    expect(typeof mod.install).toBe('function');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers our client in-process: allowed calls reach the engine, a missing grant is denied as AWS does', async () => {
    const before = proxy.stats();
    const c = new DynamoDB({ endpoint: endpoint(), region: 'us-east-1', credentials, maxAttempts: 1 });
    await c.call('PutItem', { TableName: 'Tbl', Item: { pk: { S: 'a' }, n: { N: '1' } } });
    const err = (await c.call('UpdateItem', update('2')).catch((e: unknown) => e)) as DynamoDBError;
    expect(err.code).toBe('AccessDeniedException');
    expect(err.body?.['Message']).toBe(denied('UpdateItem'));
    // The same keep-alive connection serves the next call, in order.
    const got = await c.call<{ Item: Record<string, { N: string }> }>('GetItem', {
      TableName: 'Tbl',
      Key: { pk: { S: 'a' } },
    });
    expect(got.Item['n']?.N).toBe('1');
    expect(guardLines.some((l) => l.startsWith('IAM denied Writer (S-Writer): dynamodb:UpdateItem on'))).toBe(
      true,
    );
    expect(proxy.stats()).toEqual(before);
  });

  it('does the same for AWS SDK v3', async () => {
    const before = proxy.stats();
    const c = new DynamoDBClient({ endpoint: endpoint(), region: 'us-east-1', credentials, maxAttempts: 1 });
    const got = await c.send(new GetItemCommand({ TableName: 'Tbl', Key: { pk: { S: 'a' } } }));
    expect(got.Item?.['pk']).toEqual({ S: 'a' });
    const err = await c.send(new UpdateItemCommand(update('3'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DynamoDBServiceException);
    expect((err as DynamoDBServiceException).name).toBe('AccessDeniedException');
    expect((err as DynamoDBServiceException).message).toBe(denied('UpdateItem'));
    expect((err as DynamoDBServiceException).$metadata.httpStatusCode).toBe(400);
    c.destroy();
    expect(proxy.stats()).toEqual(before);
  });

  it('leaves what it cannot frame to the proxy, which answers the same way', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = proxy.stats();
    // No Content-Length: the connection is relayed to the proxy from here on.
    const chunked = await raw('/fn/Writer/', 'UpdateItem', update('4'), agent, true);
    expect(chunked.status).toBe(400);
    expect(chunked.json['Message']).toBe(denied('UpdateItem'));
    const next = await raw('/fn/Writer/', 'GetItem', { TableName: 'Tbl', Key: { pk: { S: 'a' } } }, agent);
    expect(next.json).toEqual({ Item: { pk: { S: 'a' }, n: { N: '1' } } });
    expect(next.status).toBe(200);
    expect(proxy.stats()).toEqual({ ...before, allowed: before.allowed + 1, denied: before.denied + 1 });
    agent.destroy();
  });

  it("sends another function's path to the proxy, which checks that function's role", async () => {
    const agent = new Agent({ keepAlive: true });
    const before = proxy.stats();
    const r = await raw('/fn/Reader/', 'PutItem', { TableName: 'Tbl', Item: { pk: { S: 'r' } } }, agent);
    expect(r.status).toBe(400);
    expect(String(r.json['Message'])).toContain('assumed-role/ReaderRole/S-Reader is not authorized');
    expect(proxy.stats().denied).toBe(before.denied + 1);
    agent.destroy();
  });

  it('leaves clients with their own transport (fetch) to the proxy', async () => {
    const before = proxy.stats();
    const res = await fetch(`${endpoint()}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.UpdateItem',
      },
      body: JSON.stringify(update('5')),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Record<string, unknown>)['Message']).toBe(denied('UpdateItem'));
    expect(proxy.stats().denied).toBe(before.denied + 1);
  });

  it('touches no other address', async () => {
    const before = proxy.stats();
    const c = new DynamoDB({ endpoint: engine.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    await c.call('UpdateItem', update('6'));
    expect(proxy.stats()).toEqual(before);
  });
});
