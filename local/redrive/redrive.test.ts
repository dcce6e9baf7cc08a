/**
 * The redrive's logic on its own (message parsing, the mapping as Lambda's API describes it, reading a batch
 * back, filtering, batching, when a message is deleted), and the AWS requests it builds. No AWS account here:
 * the ports are in-memory fakes of the stream and the function; the twin path runs for real in
 * test/faults.test.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { SdkStreamRecord } from '../streams/record';
import type { InvokeResult } from '../types';
import { buildCall, getShardIterator, invoke, listEventSourceMappings, sqsDelete, sqsReceive } from './api';
import {
  type MappingView,
  type MessageSource,
  mappingFromApi,
  parseFailedBatch,
  type ReceivedMessage,
  type RedrivePorts,
  redrive,
} from './redrive';
import { sqsSource } from './sources';

const STREAM = 'arn:aws:dynamodb:eu-west-1:123456789012:table/T/stream/2026-11-25T00:00:00.000';
const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:HistoryConsumer';
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** The invocation record AWS documents for a DynamoDB stream batch (services-dynamodb-errors). */
function message(start: string, end: string, extra: Record<string, unknown> = {}) {
  return {
    requestContext: {
      requestId: 'r',
      functionArn: FN,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 6,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-25T10:00:00.000Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-1',
      startSequenceNumber: start,
      endSequenceNumber: end,
      approximateArrivalOfFirstRecord: '2026-11-25T10:00:00Z',
      approximateArrivalOfLastRecord: '2026-11-25T10:00:00Z',
      batchSize: 3,
      streamArn: STREAM,
      ...extra,
    },
  };
}

const rec = (seq: number, type: string): SdkStreamRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    ApproximateCreationDateTime: 1_764_064_800,
    Keys: { k: { S: `k${seq}` } },
    NewImage: { k: { S: `k${seq}` }, _type: { S: type } },
    SequenceNumber: String(seq).padStart(21, '0'),
    SizeBytes: 20,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

/** A shard of records, read two at a time; a function that fails while `failing` says so. */
function fakePorts(records: SdkStreamRecord[], mapping: MappingView, failing: () => boolean) {
  const invocations: unknown[][] = [];
  const ports: RedrivePorts = {
    async getShardIterator(streamArn, shardId, seq) {
      expect([streamArn, shardId]).toEqual([STREAM, 'shardId-1']);
      const i = records.findIndex((r) => r.dynamodb?.SequenceNumber === seq);
      if (i < 0) throw Object.assign(new Error('trimmed'), { code: 'TrimmedDataAccessException' });
      return String(i);
    },
    async getRecords(it) {
      const i = Number(it);
      return { records: records.slice(i, i + 2), ...(i + 2 < records.length ? { next: String(i + 2) } : {}) };
    },
    async invoke(fn, event): Promise<InvokeResult> {
      expect(fn).toBe(FN);
      invocations.push((event as { Records: unknown[] }).Records);
      return failing()
        ? { ok: false, errorType: 'Error', errorMessage: 'down' }
        : { ok: true, payload: null };
    },
    mapping: async () => mapping,
  };
  return { ports, invocations };
}

function memorySource(bodies: unknown[]) {
  const deleted: string[] = [];
  const kept: string[] = [];
  let handed = false;
  const source: MessageSource = {
    next: async (): Promise<ReceivedMessage[]> => {
      if (handed) return [];
      handed = true;
      return bodies.map((body, i) => ({ id: `m${i}`, body }));
    },
    delete: async (m) => void deleted.push(m.id),
    keep: async (m) => void kept.push(m.id),
    close: async () => {},
  };
  return { source, deleted, kept };
}

const onlyItems = mappingFromApi({
  BatchSize: 2,
  FunctionResponseTypes: ['ReportBatchItemFailures'],
  FilterCriteria: {
    Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { _type: { S: ['item'] } } } }) }],
  },
});

describe('parseFailedBatch', () => {
  it('reads the documented message, as an object or as the SQS body string', () => {
    const m = message('000000000000000000002', '000000000000000000005');
    const want = {
      functionArn: FN,
      streamArn: STREAM,
      shardId: 'shardId-1',
      startSequenceNumber: '000000000000000000002',
      endSequenceNumber: '000000000000000000005',
      batchSize: 3,
    };
    expect(parseFailedBatch(m)).toEqual(want);
    expect(parseFailedBatch(JSON.stringify(m))).toEqual(want);
  });

  it('names the field that is wrong by JSON Pointer', () => {
    expect(parseFailedBatch('{')).toEqual({ error: 'the message is not JSON' });
    expect(parseFailedBatch({ ...message('1', '2'), DDBStreamBatchInfo: undefined })).toEqual({
      error: '/DDBStreamBatchInfo: missing (not a DynamoDB stream batch)',
    });
    expect(parseFailedBatch(message('1', 'x'))).toEqual({
      error: '/DDBStreamBatchInfo/endSequenceNumber: not a sequence number',
    });
    expect(parseFailedBatch({ ...message('1', '2'), requestContext: {} })).toEqual({
      error: '/requestContext/functionArn: missing',
    });
  });
});

describe('mappingFromApi', () => {
  it('takes batch size, filters and ReportBatchItemFailures from ListEventSourceMappings', () => {
    expect(onlyItems.batchSize).toBe(2);
    expect(onlyItems.reportBatchItemFailures).toBe(true);
    expect(onlyItems.filtersDeclared).toBe(true);
    expect(onlyItems.filters).toEqual([{ dynamodb: { NewImage: { _type: { S: ['item'] } } } }]);
    expect(mappingFromApi({})).toEqual({
      filters: [],
      filtersDeclared: false,
      batchSize: 100,
      reportBatchItemFailures: false,
    });
  });
});

describe('redrive', () => {
  const shard = [
    rec(1, 'item'),
    rec(2, 'item'),
    rec(3, 'idem'),
    rec(4, 'item'),
    rec(5, 'item'),
    rec(6, 'item'),
  ];

  it('re-reads start..end, keeps what the filters pass, sends batches of the batch size, then deletes', async () => {
    const { ports, invocations } = fakePorts(shard, onlyItems, () => false);
    const { source, deleted, kept } = memorySource([
      message('000000000000000000002', '000000000000000000005'),
    ]);
    const summary = await redrive(source, ports);
    const seqs = invocations.map((b) =>
      b.map((r) =>
        (r as { dynamodb: { SequenceNumber: string } }).dynamodb.SequenceNumber.replace(/^0+/, ''),
      ),
    );
    expect(seqs).toEqual([['2', '4'], ['5']]);
    const first = invocations[0]![0] as Record<string, unknown>;
    expect(first).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventSourceARN: STREAM,
      awsRegion: 'eu-west-1',
    });
    expect(deleted).toEqual(['m0']);
    expect(kept).toEqual([]);
    expect(summary).toEqual({ replayed: 1, records: 3, kept: [] });
  });

  it('keeps a message whose function still fails, and one whose records left the stream', async () => {
    const { ports } = fakePorts(shard, onlyItems, () => true);
    const { source, deleted, kept } = memorySource([
      message('000000000000000000001', '000000000000000000002'),
      message('000000000000000000099', '000000000000000000100'),
      { not: 'a batch' },
    ]);
    const summary = await redrive(source, ports);
    expect(deleted).toEqual([]);
    expect(kept).toEqual(['m0', 'm1', 'm2']);
    expect(summary.kept.map((k) => k.reason)).toEqual([
      'the function failed: Error: down',
      'the records are no longer in the stream (trimmed)',
      '/requestContext/functionArn: missing',
    ]);
  });

  it('keeps a message the function answers with a partial batch failure', async () => {
    const { ports } = fakePorts(shard, onlyItems, () => false);
    ports.invoke = async (_fn, event) => ({
      ok: true,
      payload: {
        batchItemFailures: [
          {
            itemIdentifier: (event as { Records: { dynamodb: { SequenceNumber: string } }[] }).Records[0]!
              .dynamodb.SequenceNumber,
          },
        ],
      },
    });
    const { source, deleted } = memorySource([message('000000000000000000001', '000000000000000000001')]);
    const summary = await redrive(source, ports);
    expect(deleted).toEqual([]);
    expect(summary.kept[0]!.reason).toBe('the function reported 1 failed record(s)');
  });
});

describe('AWS requests', () => {
  const target = { region: 'eu-west-1', credentials: creds };
  const auth = (h: Readonly<Record<string, string>>) => h['Authorization'] ?? h['authorization'] ?? '';

  it('SQS ReceiveMessage and DeleteMessage speak the JSON protocol to the queue URL host, signed for sqs', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/HistoryDeadLetters';
    const r = sqsReceive(target, url, 900);
    expect(r.url).toBe('https://sqs.eu-west-1.amazonaws.com/');
    expect(r.headers['x-amz-target']).toBe('AmazonSQS.ReceiveMessage');
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(r.body!)).toEqual({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 900,
      WaitTimeSeconds: 1,
    });
    expect(auth(r.headers)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request, SignedHeaders=[^,]*x-amz-target/,
    );
    const d = sqsDelete(target, url, 'handle+/=');
    expect(JSON.parse(d.body!)).toEqual({ QueueUrl: url, ReceiptHandle: 'handle+/=' });
  });

  it('GetShardIterator goes to the streams endpoint, AT_SEQUENCE_NUMBER, signed for dynamodb', () => {
    const r = getShardIterator(target, STREAM, 'shardId-1', '000000000000000000002');
    expect(r.url).toBe('https://streams.dynamodb.eu-west-1.amazonaws.com/');
    expect(r.headers['x-amz-target']).toBe('DynamoDBStreams_20120810.GetShardIterator');
    expect(JSON.parse(r.body!)).toEqual({
      StreamArn: STREAM,
      ShardId: 'shardId-1',
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: '000000000000000000002',
    });
    expect(auth(r.headers)).toContain('/eu-west-1/dynamodb/aws4_request');
  });

  it('Lambda Invoke and ListEventSourceMappings use the REST paths, the ARN encoded', () => {
    const r = invoke(target, FN, { Records: [] });
    expect(r.url).toBe(
      `https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/${encodeURIComponent(FN)}/invocations`,
    );
    expect(r.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(auth(r.headers)).toContain('/eu-west-1/lambda/aws4_request');
    const l = listEventSourceMappings(target, FN, STREAM);
    expect(l.method).toBe('GET');
    const u = new URL(l.url);
    expect(u.pathname).toBe('/2015-03-31/event-source-mappings/');
    expect(u.searchParams.get('EventSourceArn')).toBe(STREAM);
    expect(u.searchParams.get('FunctionName')).toBe(FN);
  });

  it('keeps an endpoint override (the twin) and its path', () => {
    const r = buildCall('http://127.0.0.1:4000', 'lambda', target, { method: 'GET', path: '/x?a=1' });
    expect(r.url).toBe('http://127.0.0.1:4000/x?a=1');
    expect(r.headers['host']).toBeUndefined();
  });
});

describe('sqsSource', () => {
  const calls: { target: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target']);
      calls.push({ target, body: JSON.parse(body) });
      const receives = calls.filter((c) => c.target.endsWith('ReceiveMessage')).length;
      const out =
        target.endsWith('ReceiveMessage') && receives <= 2
          ? {
              Messages: [{ MessageId: 'id1', ReceiptHandle: 'rh1', Body: JSON.stringify(message('1', '1')) }],
            }
          : {};
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(out));
    });
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('receives, deletes by receipt handle, and stops at a message it has already seen', async () => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/123456789012/q`;
    const source = sqsSource({ region: 'eu-west-1', credentials: creds }, url);
    const first = await source.next();
    expect(first).toEqual([{ id: 'rh1', body: JSON.stringify(message('1', '1')) }]);
    await source.delete(first[0]!);
    expect(await source.next()).toEqual([]);
    expect(calls.map((c) => c.target)).toEqual([
      'AmazonSQS.ReceiveMessage',
      'AmazonSQS.DeleteMessage',
      'AmazonSQS.ReceiveMessage',
    ]);
    expect(calls[1]!.body).toEqual({ QueueUrl: url, ReceiptHandle: 'rh1' });
  });
});
