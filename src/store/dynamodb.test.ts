import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDB, DynamoDBError } from './dynamodb';

const seen: { url: string; target: string; authorization: string; body: string }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({
      url: req.url ?? '',
      target: String(req.headers['x-amz-target']),
      authorization: String(req.headers.authorization),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    // `/lose-first`: the first request is received and its connection reset unanswered; the next ones are
    // answered as a conditional write that now fails (the state the first attempt left).
    if (req.url?.includes('lose-first')) {
      if (seen.filter((s) => s.url.includes('lose-first')).length === 1) {
        req.socket.resetAndDestroy();
        return;
      }
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'x#ConditionalCheckFailedException', message: 'failed' }));
      return;
    }
    if (req.url?.includes('deny')) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: 'no' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end('{}');
  });
});
let origin = '';

beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };

describe('DynamoDB client endpoint', () => {
  // Measured with @aws-sdk/client-dynamodb 3.x against a local server: `endpoint: http://host/fn/Foo` and
  // `http://host/fn/Foo/` are both POSTed to `/fn/Foo/`; a bare origin to `/`.
  it.each([
    ['', '/'],
    ['/', '/'],
    ['/fn/Foo', '/fn/Foo/'],
    ['/fn/Foo/', '/fn/Foo/'],
  ])('keeps the endpoint path %j as SDK v3 does (%s)', async (path, expected) => {
    seen.length = 0;
    const db = new DynamoDB({ endpoint: `${origin}${path}`, region: 'us-east-1', credentials });
    await db.call('GetItem', { TableName: 't', Key: {} });
    expect(seen[0]?.url).toBe(expected);
    expect(seen[0]?.target).toBe('DynamoDB_20120810.GetItem');
    expect(seen[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=a\//);
  });

  it('reads AWS_ENDPOINT_URL_DYNAMODB with its path', async () => {
    seen.length = 0;
    const before = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = `${origin}/fn/Bar`;
    try {
      await new DynamoDB({ region: 'us-east-1', credentials }).call('Query', { TableName: 't' });
    } finally {
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = before;
    }
    expect(seen[0]?.url).toBe('/fn/Bar/');
  });

  it('surfaces an AccessDeniedException as a non-retryable typed error', async () => {
    seen.length = 0;
    const db = new DynamoDB({ endpoint: `${origin}/deny`, region: 'us-east-1', credentials });
    const err = await db.call('UpdateItem', { TableName: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DynamoDBError);
    expect((err as DynamoDBError).code).toBe('AccessDeniedException');
    expect((err as DynamoDBError).retryable).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('tells a failed retry of an attempt whose answer was lost from a failed first attempt', async () => {
    seen.length = 0;
    const db = new DynamoDB({ endpoint: `${origin}/lose-first`, region: 'us-east-1', credentials });
    const retried = (await db.call('PutItem', { TableName: 't' }).catch((e: unknown) => e)) as DynamoDBError;
    expect(seen).toHaveLength(2);
    expect(retried.code).toBe('ConditionalCheckFailedException');
    expect(retried.earlierAttemptUncertain).toBe(true);
    const first = (await db.call('PutItem', { TableName: 't' }).catch((e: unknown) => e)) as DynamoDBError;
    expect(seen).toHaveLength(3);
    expect(first.earlierAttemptUncertain).toBe(false);
  });

  it('sends every attempt of a transaction with one ClientRequestToken, new for each call', async () => {
    seen.length = 0;
    const db = new DynamoDB({ endpoint: `${origin}/lose-first`, region: 'us-east-1', credentials });
    await db.call('TransactWriteItems', { TransactItems: [] }).catch(() => {});
    await db.call('TransactWriteItems', { TransactItems: [] }).catch(() => {});
    const tokens = seen.map((s) => JSON.parse(s.body).ClientRequestToken);
    expect(tokens).toHaveLength(3);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });
});
