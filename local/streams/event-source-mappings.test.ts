import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../assembly/resolver';
import { type DynamoDBLocal, startDynamoDBLocal } from '../engine/dynamodb-local';
import type { CfnTemplate, Invoke, InvokeResult } from '../types';
import { type EventSourceMappings, startEventSourceMappings } from './event-source-mappings';
import type { FailureMessage, StreamRecord } from './types';

let engine: DynamoDBLocal;
let ddb: DynamoDBClient;
const dataDir = mkdtempSync(join(tmpdir(), 'streams-'));
let tables = 0;

beforeAll(async () => {
  engine = await startDynamoDBLocal();
  ddb = new DynamoDBClient({
    endpoint: engine.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  ddb?.destroy();
  await engine?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function newTable(): Promise<{ name: string; streamArn: string }> {
  const name = `stream-test-${++tables}`;
  const t = await ddb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  return { name, streamArn: t.TableDescription!.LatestStreamArn! };
}

async function put(table: string, pk: string, extra: Record<string, unknown> = {}): Promise<void> {
  await ddb.send(
    new PutItemCommand({
      TableName: table,
      Item: { pk: { S: pk }, _type: { S: 'item' }, ...(extra as Record<string, { S: string }>) },
    }),
  );
}

function template(streamArn: string, props: Record<string, unknown>): CfnTemplate {
  return {
    Resources: {
      Consumer: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'consumer' } },
      DeadLetters: { Type: 'AWS::SQS::Queue', Properties: {} },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Consumer' },
          EventSourceArn: streamArn,
          StartingPosition: 'TRIM_HORIZON',
          ...props,
        },
      },
    },
  };
}

interface Call {
  readonly records: StreamRecord[];
  readonly at: number;
}

/** A fake function: records each batch, answers with `behave`. */
function recorder(behave: (records: StreamRecord[]) => InvokeResult = () => ({ ok: true, payload: null })) {
  const calls: Call[] = [];
  const invoke: Invoke = async (fn, event) => {
    expect(fn).toBe('Consumer');
    const records = (event as { Records: StreamRecord[] }).Records;
    calls.push({ records, at: performance.now() });
    return behave(records);
  };
  return {
    calls,
    invoke,
    keys: () =>
      calls.flatMap((c) => c.records.map((r) => r.dynamodb.Keys['pk'] as { S: string }).map((k) => k.S)),
  };
}

async function start(
  streamArn: string,
  props: Record<string, unknown>,
  invoke: Invoke,
  extra: { dataDir?: string; log?: (l: string) => void } = {},
): Promise<EventSourceMappings> {
  const t = template(streamArn, props);
  return startEventSourceMappings({
    template: t,
    resolver: createResolver(t, { stackName: 'T' }),
    invoke,
    endpoint: engine.endpoint,
    retryDelayMs: () => 10,
    ...extra,
  });
}

const pk = (r: StreamRecord) => (r.dynamodb.Keys['pk'] as { S: string }).S;

describe('Function: startEventSourceMappings (DynamoDB Local)', () => {
  it('delivers every record once, in order, in batches of at most BatchSize, in the shape Lambda sends', async () => {
    const { name, streamArn } = await newTable();
    const written = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const before = Math.floor(Date.now() / 1000);
    for (const k of written) await put(name, k);
    const after = Math.floor(Date.now() / 1000);
    const fn = recorder();
    const streams = await start(streamArn, { BatchSize: 10 }, fn.invoke);
    try {
      await streams.idle();
      expect(fn.calls.map((c) => c.records.length)).toEqual([10, 10, 5]);
      expect(fn.keys()).toEqual(written);
      const seqs = fn.calls.flatMap((c) => c.records.map((r) => BigInt(r.dynamodb.SequenceNumber)));
      expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
      const r = fn.calls[0]!.records[0]!;
      expect(r).toMatchObject({
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        eventSourceARN: streamArn,
        dynamodb: { Keys: { pk: { S: 'k00' } }, NewImage: { pk: { S: 'k00' }, _type: { S: 'item' } } },
      });
      expect(Number.isInteger(r.dynamodb.ApproximateCreationDateTime)).toBe(true);
      expect(r.dynamodb.ApproximateCreationDateTime).toBeGreaterThanOrEqual(before - 60);
      expect(r.dynamodb.ApproximateCreationDateTime).toBeLessThanOrEqual(after);
    } finally {
      await streams.stop();
    }
  });

  it('waits for the batching window to gather writes into one batch', async () => {
    const { name, streamArn } = await newTable();
    const fn = recorder();
    const streams = await start(streamArn, { MaximumBatchingWindowInSeconds: 1 }, fn.invoke);
    try {
      await streams.idle();
      const t0 = performance.now();
      for (const k of ['a', 'b', 'c']) await put(name, k);
      await streams.idle();
      expect(fn.calls.map((c) => c.records.length)).toEqual([3]);
      expect(fn.calls[0]!.at - t0).toBeGreaterThanOrEqual(900);
    } finally {
      await streams.stop();
    }
  });

  it('applies FilterCriteria: filtered-out records are never delivered, and do not hold the shard', async () => {
    const { name, streamArn } = await newTable();
    const fn = recorder();
    const streams = await start(
      streamArn,
      {
        FilterCriteria: {
          Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { kind: { S: ['keep'] } } } }) }],
        },
      },
      fn.invoke,
    );
    try {
      await put(name, 'a', { kind: { S: 'keep' } });
      await put(name, 'b', { kind: { S: 'drop' } });
      await put(name, 'c');
      await put(name, 'd', { kind: { S: 'keep' } });
      await put(name, 'e', { kind: { S: 'drop' } });
      await streams.idle();
      expect(fn.keys()).toEqual(['a', 'd']);
    } finally {
      await streams.stop();
    }
  });

  it('bisects around a poison record: the others are delivered, the poison record lands in the dead-letter file', async () => {
    const { name, streamArn } = await newTable();
    for (let i = 1; i <= 10; i++)
      await put(name, `k${String(i).padStart(2, '0')}`, i === 4 ? { poison: { S: 'yes' } } : {});
    const fn = recorder((records) =>
      records.some((r) => r.dynamodb.NewImage?.['poison'])
        ? { ok: false, errorType: 'Error', errorMessage: 'poison' }
        : { ok: true, payload: null },
    );
    const lines: string[] = [];
    const dir = join(dataDir, 'bisect');
    const streams = await start(
      streamArn,
      {
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] } } },
      },
      fn.invoke,
      { dataDir: dir, log: (l) => lines.push(l) },
    );
    try {
      await streams.idle();
      const delivered = new Set(
        fn.calls
          .filter((c) => !c.records.some((r) => r.dynamodb.NewImage?.['poison']))
          .flatMap((c) => c.records.map(pk)),
      );
      expect([...delivered].sort()).toEqual(['k01', 'k02', 'k03', 'k05', 'k06', 'k07', 'k08', 'k09', 'k10']);
      const alone = fn.calls.filter((c) => c.records.length === 1 && pk(c.records[0]!) === 'k04');
      expect(alone).toHaveLength(3); // the first try alone, and MaximumRetryAttempts 2
      const poisonSeq = fn.calls.flatMap((c) => c.records).find((r) => pk(r) === 'k04')!
        .dynamodb.SequenceNumber;
      const letters = streams.deadLetters('DeadLetters') as FailureMessage[];
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        requestContext: {
          functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        DDBStreamBatchInfo: {
          startSequenceNumber: poisonSeq,
          endSequenceNumber: poisonSeq,
          batchSize: 1,
          streamArn,
        },
      });
      const file = join(dir, 'dead-letters', 'DeadLetters.jsonl');
      expect(existsSync(file)).toBe(true);
      expect(JSON.parse(readFileSync(file, 'utf8').trim())).toEqual(letters[0]);
      expect(lines.join('\n')).toMatch(/sent to DeadLetters/);
    } finally {
      await streams.stop();
    }
  });

  it('with ReportBatchItemFailures retries from the failed record, keeps what came before, and bounds retries', async () => {
    const { name, streamArn } = await newTable();
    for (let i = 1; i <= 6; i++) await put(name, `k${i}`, i === 3 ? { poison: { S: 'yes' } } : {});
    const processed: string[] = [];
    const fn = recorder((records) => {
      const failed: { itemIdentifier: string }[] = [];
      for (const r of records) {
        if (r.dynamodb.NewImage?.['poison']) failed.push({ itemIdentifier: r.dynamodb.SequenceNumber });
        else processed.push(pk(r));
      }
      return { ok: true, payload: { batchItemFailures: failed } };
    });
    const streams = await start(
      streamArn,
      {
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 2,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] } } },
      },
      fn.invoke,
    );
    try {
      await streams.idle();
      expect(fn.calls.map((c) => c.records.map(pk))).toEqual([
        ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'],
        ['k3', 'k4', 'k5', 'k6'],
        ['k3', 'k4', 'k5', 'k6'],
      ]);
      expect(new Set(processed)).toEqual(new Set(['k1', 'k2', 'k4', 'k5', 'k6']));
      const [letter] = streams.deadLetters() as FailureMessage[];
      expect(letter?.requestContext).toMatchObject({
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      });
      expect(letter?.responseContext.functionError).toBeUndefined();
      expect(letter?.DDBStreamBatchInfo.batchSize).toBe(4);
      expect(letter?.DDBStreamBatchInfo.startSequenceNumber).toBe(
        fn.calls[1]!.records[0]!.dynamodb.SequenceNumber,
      );
      // the shard moved on
      await put(name, 'k7');
      await streams.idle();
      expect(fn.calls.at(-1)!.records.map(pk)).toEqual(['k7']);
    } finally {
      await streams.stop();
    }
  });

  it('starts at LATEST without the records written before, and resumes after its checkpoint on restart', async () => {
    const { name, streamArn } = await newTable();
    await put(name, 'old');
    const dir = join(dataDir, 'restart');
    const first = recorder();
    let streams = await start(streamArn, { StartingPosition: 'LATEST' }, first.invoke, { dataDir: dir });
    try {
      await streams.idle();
      await put(name, 'new1');
      await streams.idle();
      expect(first.keys()).toEqual(['new1']);
    } finally {
      await streams.stop();
    }
    await put(name, 'while-stopped');
    const second = recorder();
    streams = await start(streamArn, { StartingPosition: 'TRIM_HORIZON' }, second.invoke, { dataDir: dir });
    try {
      await streams.idle();
      expect(second.keys()).toEqual(['while-stopped']);
    } finally {
      await streams.stop();
    }
  });

  it('invokes the consumer within a second of a write (median)', async () => {
    const { name, streamArn } = await newTable();
    const fn = recorder();
    const streams = await start(streamArn, {}, fn.invoke);
    const latencies: number[] = [];
    try {
      await streams.idle();
      for (let i = 0; i < 15; i++) {
        const t0 = performance.now();
        await put(name, `l${i}`);
        await streams.idle();
        const call = fn.calls.find((c) => c.records.some((r) => pk(r) === `l${i}`));
        expect(call).toBeDefined();
        latencies.push(call!.at - t0);
      }
    } finally {
      await streams.stop();
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)]!;
    console.log(
      `write -> invocation: median ${median.toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`,
    );
    expect(median).toBeLessThan(1000);
  });

  it('warns instead of failing for a mapping it cannot run', async () => {
    const lines: string[] = [];
    const streams = await start('arn:aws:sqs:us-east-1:000000000000:q', {}, recorder().invoke, {
      log: (l) => lines.push(l),
    });
    try {
      expect(streams.mappings).toEqual([]);
      await streams.idle();
      expect(lines.join('\n')).toMatch(/warning: Mapping: event source .* is not a DynamoDB stream/);
    } finally {
      await streams.stop();
    }
  });
});
