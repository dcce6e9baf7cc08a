// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, not JS templates
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../assembly/resolver';
import type { CfnTemplate } from '../types';
import { EngineStartError } from './dynamodb-local';
import { type Engine, startEngine } from './engine';
import { createTables, planTable } from './tables';

const keys = {
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'g', AttributeType: 'S' },
  ],
};

const template: CfnTemplate = {
  Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
  Resources: {
    Items: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        ...keys,
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byG',
            KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        LocalSecondaryIndexes: [
          {
            IndexName: 'byGLocal',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'g', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    },
    Provisioned: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: { 'Fn::Sub': '${AWS::StackName}-prov' },
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
      },
    },
    Skipped: {
      Type: 'AWS::DynamoDB::Table',
      Condition: 'Never',
      Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [] },
    },
  },
};

const client = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });

describe('planTable', () => {
  it('defaults to PROVISIONED 5/5 for a Table and gives GSIs throughput only then', () => {
    const p = planTable(
      'T',
      'AWS::DynamoDB::Table',
      { ...keys, GlobalSecondaryIndexes: [{ IndexName: 'i', KeySchema: [] }] },
      'n',
    );
    expect(p.create.BillingMode).toBe('PROVISIONED');
    expect(p.create.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 5, WriteCapacityUnits: 5 });
    expect(p.create.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: 5,
      WriteCapacityUnits: 5,
    });
    expect(p.create.GlobalSecondaryIndexes?.[0]?.Projection).toEqual({ ProjectionType: 'ALL' });
  });

  it('defaults to on-demand for a GlobalTable and notes what it ignores', () => {
    const p = planTable(
      'T',
      'AWS::DynamoDB::GlobalTable',
      { ...keys, Replicas: [{ Region: 'us-east-1' }], SSESpecification: {} },
      'n',
    );
    expect(p.create.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.create.ProvisionedThroughput).toBeUndefined();
    expect(p.ignored).toEqual(['Replicas', 'SSESpecification']);
  });
});

describe('createTables against DynamoDB Local', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({});
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it('creates every included table as declared: keys, indexes, stream, TTL, billing', async () => {
    const resolver = createResolver(template, { stackName: 'T1' });
    const lines: string[] = [];
    const tables = await createTables(template, resolver.resolve, engine.endpoint, {
      log: (l) => lines.push(l),
      isIncluded: resolver.isIncluded,
    });
    expect(tables.map((t) => [t.logicalId, t.tableName, t.created])).toEqual([
      ['Items', 'T1-Items', true],
      ['Provisioned', 'T1-prov', true],
    ]);
    expect(tables[0]?.streamArn).toMatch(/^arn:aws:dynamodb:.*table\/T1-Items\/stream\//);
    const c = client(engine.endpoint);
    const items = (await c.send(new DescribeTableCommand({ TableName: 'T1-Items' }))).Table!;
    expect(items.KeySchema).toEqual(keys.KeySchema);
    expect(items.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.Projection?.ProjectionType])).toEqual([
      ['byG', 'KEYS_ONLY'],
    ]);
    expect(items.LocalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['byGLocal']);
    expect(items.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(items.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const ttl = await c.send(new DescribeTimeToLiveCommand({ TableName: 'T1-Items' }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
    const prov = (await c.send(new DescribeTableCommand({ TableName: 'T1-prov' }))).Table!;
    expect(prov.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 2, WriteCapacityUnits: 3 });
    expect(lines).toEqual([
      'table T1-Items: ignored locally: PointInTimeRecoverySpecification, SSESpecification',
    ]);
    c.destroy();
  });

  it('is idempotent: a second run keeps tables and their data', async () => {
    const resolver = createResolver(template, { stackName: 'T2' });
    await createTables(template, resolver.resolve, engine.endpoint, { isIncluded: resolver.isIncluded });
    const c = client(engine.endpoint);
    await c.send(
      new PutItemCommand({ TableName: 'T2-Items', Item: { pk: { S: 'a' }, sk: { S: 'b' }, v: { N: '1' } } }),
    );
    const again = await createTables(template, resolver.resolve, engine.endpoint, {
      isIncluded: resolver.isIncluded,
    });
    expect(again.every((t) => !t.created)).toBe(true);
    const got = await c.send(
      new GetItemCommand({ TableName: 'T2-Items', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    expect(got.Item?.['v']).toEqual({ N: '1' });
    c.destroy();
  });

  it('warns, and keeps the table, when the key schema differs; adds a GSI the template gained', async () => {
    const v1: CfnTemplate = {
      Resources: {
        T: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          },
        },
      },
    };
    const withGsi: CfnTemplate = {
      Resources: {
        T: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            ...(v1.Resources['T']!.Properties as object),
            AttributeDefinitions: [
              { AttributeName: 'id', AttributeType: 'S' },
              { AttributeName: 'g', AttributeType: 'S' },
            ],
            GlobalSecondaryIndexes: [
              {
                IndexName: 'byG',
                KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
                Projection: { ProjectionType: 'ALL' },
              },
            ],
          },
        },
      },
    };
    const otherKeys: CfnTemplate = {
      Resources: {
        T: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            ...(v1.Resources['T']!.Properties as object),
            KeySchema: [{ AttributeName: 'other', KeyType: 'HASH' }],
          },
        },
      },
    };
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    await createTables(v1, createResolver(v1, { stackName: 'T3' }).resolve, engine.endpoint, { log });
    await createTables(withGsi, createResolver(withGsi, { stackName: 'T3' }).resolve, engine.endpoint, {
      log,
    });
    const c = client(engine.endpoint);
    const t = (await c.send(new DescribeTableCommand({ TableName: 'T3-T' }))).Table!;
    expect(t.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['byG']);
    await createTables(otherKeys, createResolver(otherKeys, { stackName: 'T3' }).resolve, engine.endpoint, {
      log,
    });
    expect(lines.some((l) => /warning: table T3-T .*key schema/.test(l))).toBe(true);
    const kept = (await c.send(new DescribeTableCommand({ TableName: 'T3-T' }))).Table!;
    expect(kept.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    c.destroy();
  });

  it('uses a given endpoint instead of starting Java, and says clearly when nothing answers there', async () => {
    const borrowed = await startEngine({ env: { DYNAMODB_ENDPOINT: `${engine.endpoint}/` } });
    expect(borrowed).toMatchObject({ endpoint: engine.endpoint, external: true });
    await borrowed.stop();
    const c = client(engine.endpoint);
    await c.send(new DescribeTableCommand({ TableName: 'T1-Items' })); // still up
    c.destroy();
    await expect(startEngine({ endpoint: 'http://127.0.0.1:9' })).rejects.toBeInstanceOf(EngineStartError);
  });
});

describe('a persisted engine', () => {
  it('keeps tables and data across a restart on the same data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ddb-'));
    try {
      const resolver = createResolver(template, { stackName: 'P' });
      const first = await startEngine({ dataDir });
      await createTables(template, resolver.resolve, first.endpoint, { isIncluded: resolver.isIncluded });
      const c1 = client(first.endpoint);
      await c1.send(new PutItemCommand({ TableName: 'P-Items', Item: { pk: { S: 'k' }, sk: { S: 's' } } }));
      c1.destroy();
      await first.stop();

      const second = await startEngine({ dataDir });
      try {
        const tables = await createTables(template, resolver.resolve, second.endpoint, {
          isIncluded: resolver.isIncluded,
        });
        expect(tables.map((t) => t.created)).toEqual([false, false]);
        const c2 = client(second.endpoint);
        const got = await c2.send(
          new GetItemCommand({ TableName: 'P-Items', Key: { pk: { S: 'k' }, sk: { S: 's' } } }),
        );
        expect(got.Item).toBeDefined();
        c2.destroy();
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
