/**
 * The IAM proxy in front of a real DynamoDB Local (in memory), called by our client and by AWS SDK v3.
 */
import {
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentials,
  DynamoDB,
  DynamoDBError,
  denied,
  engineWithTable,
  principal,
  T,
  writerSpec,
} from '../../test/support/iam';
import type { DynamoDBLocal } from '../engine/dynamodb-local';
import { type IamProxy, startIamProxy } from './proxy';

let engine: DynamoDBLocal;
let proxy: IamProxy;
const lines: string[] = [];

beforeAll(async () => {
  engine = await engineWithTable();
  proxy = await startIamProxy({
    engineEndpoint: engine.endpoint,
    log: (l) => lines.push(l),
    principals: [
      principal('Writer', [
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: T },
      ]),
      principal('Unknown', [], false),
    ],
  });
});

afterAll(async () => {
  await proxy?.stop();
  await engine?.stop();
});

const ours = (id: string) =>
  new DynamoDB({ endpoint: proxy.endpointFor(id), region: 'us-east-1', credentials, maxAttempts: 3 });
const sdk = (id: string) =>
  new DynamoDBClient({ endpoint: proxy.endpointFor(id), region: 'us-east-1', credentials, maxAttempts: 1 });
describe('the IAM proxy with DynamoDB Local', () => {
  it('forwards an allowed PutItem and GetItem (our client)', async () => {
    const db = ours('Writer');
    await db.call('PutItem', { TableName: 'Tbl', Item: { pk: { S: 'a' }, n: { N: '1' } } });
    const got = await db.call<{ Item: unknown }>('GetItem', { TableName: 'Tbl', Key: { pk: { S: 'a' } } });
    expect(got.Item).toEqual({ pk: { S: 'a' }, n: { N: '1' } });
  });

  it('denies an UpdateItem the role lacks, as DynamoDB does (our client), and logs the missing grant', async () => {
    const before = proxy.stats().denied;
    const err = await ours('Writer')
      .call('UpdateItem', {
        TableName: 'Tbl',
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DynamoDBError);
    const e = err as DynamoDBError;
    expect(e.code).toBe('AccessDeniedException');
    expect(e.statusCode).toBe(400);
    expect(e.retryable).toBe(false);
    expect(e.body).toEqual({
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: denied('UpdateItem'),
    });
    expect(proxy.stats().denied).toBe(before + 1); // not retried
    expect(lines.at(-1)).toContain('IAM denied Writer (S-Writer): dynamodb:UpdateItem on');
    expect(lines.at(-1)).toContain('no statement of role WriterRole allows it');
    // Nothing reached the engine.
    const got = await ours('Writer').call<{ Item: Record<string, { N: string }> }>('GetItem', {
      TableName: 'Tbl',
      Key: { pk: { S: 'a' } },
    });
    expect(got.Item['n']?.N).toBe('1');
  });

  it('does the same for AWS SDK v3', async () => {
    const c = sdk('Writer');
    await c.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: 'b' } } }));
    const got = await c.send(new GetItemCommand({ TableName: 'Tbl', Key: { pk: { S: 'b' } } }));
    expect(got.Item).toEqual({ pk: { S: 'b' } });
    const err = await c
      .send(
        new UpdateItemCommand({
          TableName: 'Tbl',
          Key: { pk: { S: 'b' } },
          UpdateExpression: 'SET n = :n',
          ExpressionAttributeValues: { ':n': { N: '2' } },
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DynamoDBServiceException);
    const e = err as DynamoDBServiceException;
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toBe(denied('UpdateItem'));
    expect(e.$metadata.httpStatusCode).toBe(400);
    c.destroy();
  });

  it('checks every action of a transaction and denies on the first missing one', async () => {
    const err = await ours('Writer')
      .call('TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 'Tbl', Item: { pk: { S: 'c' } } } },
          { Delete: { TableName: 'Tbl', Key: { pk: { S: 'a' } } } },
        ],
      })
      .catch((e: unknown) => e);
    expect((err as DynamoDBError).code).toBe('AccessDeniedException');
    expect((err as DynamoDBError).body?.['Message']).toBe(denied('DeleteItem'));
  });

  it('forwards unchecked for a function whose role it does not know', async () => {
    await ours('Unknown').call('UpdateItem', {
      TableName: 'Tbl',
      Key: { pk: { S: 'a' } },
      UpdateExpression: 'SET n = :n',
      ExpressionAttributeValues: { ':n': { N: '3' } },
    });
    expect(proxy.stats().unchecked).toBeGreaterThan(0);
  });

  it('rejects a path that names no function', async () => {
    const err = await new DynamoDB({ endpoint: `${proxy.url}/fn/Nope`, region: 'us-east-1', credentials })
      .call('GetItem', { TableName: 'Tbl', Key: { pk: { S: 'a' } } })
      .catch((e: unknown) => e);
    expect((err as DynamoDBError).code).toBe('UnrecognizedClientException');
  });

  it('passes engine errors through unchanged', async () => {
    const err = await ours('Writer')
      .call('GetItem', { TableName: 'Tbl', Key: { nope: { S: 'a' } } })
      .catch((e: unknown) => e);
    expect((err as DynamoDBError).code).toBe('ValidationException');
  });

  it('picks up new principals (hot reload of a fixed grant)', async () => {
    proxy.setPrincipals([
      principal('Writer', [
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: T,
        },
      ]),
    ]);
    await ours('Writer').call('UpdateItem', {
      TableName: 'Tbl',
      Key: { pk: { S: 'a' } },
      UpdateExpression: 'SET n = :n',
      ExpressionAttributeValues: { ':n': { N: '4' } },
    });
  });

  it('sets the function endpoint in a spec', () => {
    const spec = proxy.withEndpoint(writerSpec({ A: '1' }));
    expect(spec.environment).toEqual({ A: '1', AWS_ENDPOINT_URL_DYNAMODB: `${proxy.url}/fn/Writer` });
  });
});
