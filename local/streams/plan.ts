/**
 * What happens to a batch after the function ran (pure): success, a partial batch response, or an error;
 * then retry, bisect, or give up and discard to the on-failure destination.
 *
 * - Without `ReportBatchItemFailures`, any successful invocation is a success (the payload is not read).
 * - With it: a missing/null payload, a missing/null/empty `batchItemFailures` is a success; a list of failures
 *   checkpoints the records before the lowest failed sequence number and retries from that record; an entry
 *   whose `itemIdentifier` is missing, empty, not a string or not a sequence number of the batch fails the
 *   whole batch.
 * - A function error (thrown, timed out, crashed) fails the whole batch. With `BisectBatchOnFunctionError` a
 *   batch of two or more records is split in two halves, each retried on its own (a split does not use up the
 *   retry quota); a single record, or any batch without bisect, is retried as is.
 * - Each retry counts towards `MaximumRetryAttempts`; past it, the records go to the on-failure destination
 *   (`RetryAttemptsExhausted`) and the shard moves on.
 * @module
 */
import type { InvokeResult } from '../types';
import type { StreamRecord } from './types';

/** A contiguous run of a shard's records waiting to be (re)delivered. */
export interface PendingBatch {
  readonly records: readonly StreamRecord[];
  /** Retries already used on these records. */
  readonly retries: number;
  /** Invocations so far with exactly these records (`approximateInvokeCount` when discarded). */
  readonly invokes: number;
}

/** How one invocation went, seen from the event source mapping. */
export type InvocationOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly firstFailed: number }
  | { readonly kind: 'failure'; readonly reason: string; readonly functionError?: string };

export interface RetryPolicy {
  readonly bisectBatchOnFunctionError: boolean;
  /** `Infinity` for -1. */
  readonly maximumRetryAttempts: number;
}

/** Records to send to the on-failure destination. */
export interface Discard {
  readonly records: readonly StreamRecord[];
  readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
  readonly invokes: number;
  readonly functionError?: string;
}

/** What to do after one invocation. */
export interface Step {
  /** How many leading records of the batch are finished (delivered or discarded): checkpoint through them. */
  readonly completed: number;
  /** What replaces the batch at the head of the queue, in order. */
  readonly next: readonly PendingBatch[];
  readonly discard?: Discard;
}

/** Reads the invocation result as Lambda does for a stream batch. */
export function judgeInvocation(
  result: InvokeResult,
  records: readonly StreamRecord[],
  reportBatchItemFailures: boolean,
): InvocationOutcome {
  if (!result.ok) {
    return {
      kind: 'failure',
      reason: `${result.errorType}: ${result.errorMessage}`,
      functionError: 'Unhandled',
    };
  }
  if (!reportBatchItemFailures) return { kind: 'success' };
  const payload = result.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return { kind: 'success' };
  const failures = (payload as Record<string, unknown>)['batchItemFailures'];
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) {
    return { kind: 'failure', reason: 'batchItemFailures is not a list; the whole batch failed' };
  }
  if (failures.length === 0) return { kind: 'success' };
  const index = new Map(records.map((r, i) => [r.dynamodb.SequenceNumber, i]));
  let first = Number.POSITIVE_INFINITY;
  for (const f of failures) {
    const id = f && typeof f === 'object' ? (f as Record<string, unknown>)['itemIdentifier'] : undefined;
    const i = typeof id === 'string' && id !== '' ? index.get(id) : undefined;
    if (i === undefined) {
      return {
        kind: 'failure',
        reason: `invalid itemIdentifier ${JSON.stringify(id ?? null)} in batchItemFailures; the whole batch failed`,
      };
    }
    first = Math.min(first, i);
  }
  return { kind: 'partial', firstFailed: first };
}

/** Decides the next step for a batch after an invocation. */
export function afterInvocation(batch: PendingBatch, outcome: InvocationOutcome, policy: RetryPolicy): Step {
  const n = batch.records.length;
  const invokes = batch.invokes + 1;
  if (outcome.kind === 'success') return { completed: n, next: [] };
  if (outcome.kind === 'partial') {
    const rest = batch.records.slice(outcome.firstFailed);
    const retries = batch.retries + 1;
    if (retries > policy.maximumRetryAttempts) {
      return {
        completed: n,
        next: [],
        discard: { records: rest, condition: 'RetryAttemptsExhausted', invokes },
      };
    }
    return { completed: outcome.firstFailed, next: [{ records: rest, retries, invokes }] };
  }
  if (policy.bisectBatchOnFunctionError && n > 1) {
    const half = Math.ceil(n / 2);
    return {
      completed: 0,
      next: [
        { records: batch.records.slice(0, half), retries: batch.retries, invokes: 0 },
        { records: batch.records.slice(half), retries: batch.retries, invokes: 0 },
      ],
    };
  }
  const retries = batch.retries + 1;
  if (retries > policy.maximumRetryAttempts) {
    return {
      completed: n,
      next: [],
      discard: {
        records: batch.records,
        condition: 'RetryAttemptsExhausted',
        invokes,
        ...(outcome.functionError ? { functionError: outcome.functionError } : {}),
      },
    };
  }
  return { completed: 0, next: [{ records: batch.records, retries, invokes }] };
}

/**
 * How many leading records are older than `MaximumRecordAgeInSeconds` at `nowSeconds` (they are discarded
 * before the next invocation). Records of a shard are in write order, so the old ones lead.
 */
export function expiredCount(
  records: readonly StreamRecord[],
  maximumRecordAgeSeconds: number,
  nowSeconds: number,
): number {
  if (!Number.isFinite(maximumRecordAgeSeconds)) return 0;
  let i = 0;
  while (
    i < records.length &&
    nowSeconds - records[i]!.dynamodb.ApproximateCreationDateTime > maximumRecordAgeSeconds
  )
    i++;
  return i;
}

/** Lambda's batch payload limit for stream event sources. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * How many of the leading `candidates` fit in one batch: at most `batchSize` records and, past the first,
 * at most {@link MAX_PAYLOAD_BYTES} of JSON.
 */
export function batchLength(candidates: readonly StreamRecord[], batchSize: number): number {
  let bytes = 20; // {"Records":[]}
  let n = 0;
  for (const r of candidates) {
    if (n >= batchSize) break;
    const size = Buffer.byteLength(JSON.stringify(r)) + 1;
    if (n > 0 && bytes + size > MAX_PAYLOAD_BYTES) break;
    bytes += size;
    n++;
  }
  return n;
}
