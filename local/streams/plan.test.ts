import { describe, expect, it } from 'vitest';
import type { InvokeResult } from '../types';
import {
  afterInvocation,
  batchLength,
  expiredCount,
  judgeInvocation,
  MAX_PAYLOAD_BYTES,
  type PendingBatch,
} from './plan';
import { streamRecord } from './test-records';

const batch = ['1', '2', '3', '4'].map((s) => streamRecord(s));
const ok = (payload: unknown): InvokeResult => ({ ok: true, payload });
const thrown: InvokeResult = { ok: false, errorType: 'Error', errorMessage: 'poison' };

describe('Function: judgeInvocation', () => {
  it('takes a function error as a failure of the whole batch', () => {
    expect(judgeInvocation(thrown, batch, true)).toEqual({
      kind: 'failure',
      reason: 'Error: poison',
      functionError: 'Unhandled',
    });
  });

  it('ignores the payload without ReportBatchItemFailures', () => {
    expect(judgeInvocation(ok({ batchItemFailures: [{ itemIdentifier: '2' }] }), batch, false)).toEqual({
      kind: 'success',
    });
  });

  it('counts as success: null or empty response, null or empty list', () => {
    for (const p of [null, undefined, {}, { batchItemFailures: null }, { batchItemFailures: [] }, 'done']) {
      expect(judgeInvocation(ok(p), batch, true)).toEqual({ kind: 'success' });
    }
  });

  it('retries from the lowest failed sequence number', () => {
    const p = { batchItemFailures: [{ itemIdentifier: '4' }, { itemIdentifier: '2' }] };
    expect(judgeInvocation(ok(p), batch, true)).toEqual({ kind: 'partial', firstFailed: 1 });
  });

  it('fails the whole batch on an empty, null, unknown or misspelt itemIdentifier', () => {
    for (const f of [
      { itemIdentifier: '' },
      { itemIdentifier: null },
      { itemIdentifier: '99' },
      { itemId: '2' },
      null,
    ]) {
      const r = judgeInvocation(ok({ batchItemFailures: [f] }), batch, true);
      expect(r.kind).toBe('failure');
    }
    expect(judgeInvocation(ok({ batchItemFailures: 'x' }), batch, true).kind).toBe('failure');
  });
});

describe('Function: afterInvocation', () => {
  const first: PendingBatch = { records: batch, retries: 0, invokes: 0 };

  it('finishes the whole batch on success', () => {
    expect(
      afterInvocation(
        first,
        { kind: 'success' },
        { bisectBatchOnFunctionError: false, maximumRetryAttempts: 2 },
      ),
    ).toEqual({
      completed: 4,
      next: [],
    });
  });

  it('checkpoints before the failed record and retries the rest, counting a retry', () => {
    const step = afterInvocation(
      first,
      { kind: 'partial', firstFailed: 2 },
      {
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 2,
      },
    );
    expect(step.completed).toBe(2);
    expect(step.next).toEqual([{ records: batch.slice(2), retries: 1, invokes: 1 }]);
  });

  it('bisects a failed batch without using up retries, down to single records', () => {
    const policy = { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 };
    const step = afterInvocation(first, { kind: 'failure', reason: 'x' }, policy);
    expect(step.completed).toBe(0);
    expect(step.next.map((b) => b.records.map((r) => r.dynamodb.SequenceNumber))).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(step.next.every((b) => b.retries === 0)).toBe(true);
    const single = { records: batch.slice(0, 1), retries: 0, invokes: 0 };
    const last = afterInvocation(
      single,
      { kind: 'failure', reason: 'x', functionError: 'Unhandled' },
      policy,
    );
    expect(last).toEqual({
      completed: 1,
      next: [],
      discard: {
        records: batch.slice(0, 1),
        condition: 'RetryAttemptsExhausted',
        invokes: 1,
        functionError: 'Unhandled',
      },
    });
  });

  it('retries the same records until MaximumRetryAttempts, then discards them', () => {
    const policy = { bisectBatchOnFunctionError: false, maximumRetryAttempts: 2 };
    let b = first;
    const seen: number[] = [];
    for (;;) {
      const step = afterInvocation(b, { kind: 'failure', reason: 'x' }, policy);
      if (step.discard) {
        expect(step.discard.invokes).toBe(3); // the first try and two retries
        expect(step.completed).toBe(4);
        break;
      }
      b = step.next[0]!;
      seen.push(b.retries);
    }
    expect(seen).toEqual([1, 2]);
  });

  it('discards the failed suffix when partial failures exhaust the retries', () => {
    const step = afterInvocation(
      { records: batch.slice(1), retries: 2, invokes: 3 },
      { kind: 'partial', firstFailed: 0 },
      {
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 2,
      },
    );
    expect(step.completed).toBe(3);
    expect(step.discard?.records.map((r) => r.dynamodb.SequenceNumber)).toEqual(['2', '3', '4']);
    expect(step.discard?.invokes).toBe(4);
  });

  it('retries forever with MaximumRetryAttempts -1 (Infinity)', () => {
    const step = afterInvocation(
      { records: batch, retries: 10_000, invokes: 10_001 },
      { kind: 'failure', reason: 'x' },
      {
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: Number.POSITIVE_INFINITY,
      },
    );
    expect(step.discard).toBeUndefined();
    expect(step.next[0]?.retries).toBe(10_001);
  });
});

describe('Function: expiredCount', () => {
  it('counts the leading records older than the maximum age', () => {
    const rs = [streamRecord('1', {}, 100), streamRecord('2', {}, 150), streamRecord('3', {}, 200)];
    expect(expiredCount(rs, 60, 215)).toBe(2);
    expect(expiredCount(rs, 60, 100)).toBe(0);
    expect(expiredCount(rs, Number.POSITIVE_INFINITY, 1e12)).toBe(0);
  });
});

describe('Function: batchLength', () => {
  it('stops at the batch size', () => {
    expect(batchLength(batch, 3)).toBe(3);
    expect(batchLength(batch, 100)).toBe(4);
  });

  it('stops before 6 MB, but always takes one record', () => {
    const big = (s: string) =>
      streamRecord(s, {
        dynamodb: {
          ...streamRecord(s).dynamodb,
          NewImage: { blob: { S: 'x'.repeat(MAX_PAYLOAD_BYTES / 2) } },
        },
      });
    expect(batchLength([big('1'), big('2'), big('3')], 100)).toBe(1);
  });
});
