import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeadLetterStore, failureMessage } from './dead-letters';
import { streamRecord } from './test-records';

describe('Function: failureMessage', () => {
  it('has the shape Lambda sends to an SQS on-failure destination for a DynamoDB stream', () => {
    const msg = failureMessage({
      discard: {
        records: [streamRecord('5', {}, 1_749_147_709), streamRecord('7', {}, 1_749_147_710)],
        condition: 'RetryAttemptsExhausted',
        invokes: 4,
        functionError: 'Unhandled',
      },
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer',
      shardId: 'shardId-1',
      streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/L',
      now: new Date('2025-06-05T18:22:26.479Z'),
      requestId: 'req-1',
    });
    expect(msg).toEqual({
      requestContext: {
        requestId: 'req-1',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 4,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2025-06-05T18:22:26.479Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-1',
        startSequenceNumber: '5',
        endSequenceNumber: '7',
        approximateArrivalOfFirstRecord: '2025-06-05T18:21:49Z',
        approximateArrivalOfLastRecord: '2025-06-05T18:21:50Z',
        batchSize: 2,
        streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/L',
      },
    });
  });

  it('leaves functionError out when the function did not fail (a partial batch response)', () => {
    const msg = failureMessage({
      discard: { records: [streamRecord('5')], condition: 'RetryAttemptsExhausted', invokes: 1 },
      functionArn: 'f',
      shardId: 's',
      streamArn: 'a',
      now: new Date(0),
    });
    expect(msg.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(msg.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('Function: createDeadLetterStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dead-letters-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per message under <dataDir>/dead-letters, and reads them back', () => {
    const store = createDeadLetterStore({ dataDir: dir });
    store.send('HistoryDeadLetters', { n: 1 });
    store.send('HistoryDeadLetters', { n: 2 });
    store.send('Other', { n: 3 });
    const file = store.fileOf('HistoryDeadLetters')!;
    expect(file).toBe(join(dir, 'dead-letters', 'HistoryDeadLetters.jsonl'));
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    expect(store.read('HistoryDeadLetters')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(createDeadLetterStore({ dataDir: dir }).read()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(store.read('Nobody')).toEqual([]);
  });

  it('keeps messages in memory without a data dir', () => {
    const store = createDeadLetterStore();
    store.send('Q', { n: 1 });
    expect(store.read('Q')).toEqual([{ n: 1 }]);
    expect(store.read()).toEqual([{ n: 1 }]);
    expect(store.fileOf('Q')).toBeUndefined();
  });
});
