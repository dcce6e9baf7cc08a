/**
 * One shard of one mapping: reads it with `GetRecords`, filters, gathers batches (batch size, batching window,
 * 6 MB), invokes the function with one batch in flight, and follows {@link afterInvocation} for retries, bisect,
 * partial failures and discards, checkpointing as records finish. Ends when the shard is closed and read.
 * @module
 */
import {
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { Invoke, InvokeResult, Log } from '../types';
import { passesFilters } from './filter';
import {
  afterInvocation,
  batchLength,
  type Discard,
  expiredCount,
  judgeInvocation,
  type PendingBatch,
} from './plan';
import { type SdkStreamRecord, toLambdaRecord } from './record';
import type { StreamMappingSpec, StreamRecord } from './types';

/** Where a shard's reading starts. */
export interface ShardStart {
  readonly type: 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER';
  readonly sequenceNumber?: string;
}

export interface ShardPollerOptions {
  readonly client: DynamoDBStreamsClient;
  readonly spec: StreamMappingSpec;
  /** The engine's stream ARN (what `GetShardIterator` takes). */
  readonly streamArn: string;
  readonly shardId: string;
  readonly start: ShardStart;
  readonly invoke: Invoke;
  readonly region: string;
  readonly pollIntervalMs: number;
  /** Delay before retry number `n` (1-based) of the same records. */
  readonly retryDelayMs: (n: number) => number;
  readonly checkpoint: (sequenceNumber: string) => void;
  readonly discard: (discard: Discard) => void;
  readonly log: Log;
  readonly signal: AbortSignal;
  /** Called whenever the poller's state changed (idle tracking). */
  readonly notify: () => void;
}

/** A running shard poller. */
export interface ShardPoller {
  readonly shardId: string;
  /** Resolves when the shard was read to its end (`true`) or the poller stopped or gave up (`false`). */
  readonly finished: Promise<boolean>;
  /** `performance.now()` at the start of the latest `GetRecords` that found nothing while nothing was pending. */
  caughtUpAt(): number;
  /** True once `finished` settled. */
  isFinished(): boolean;
  /** What it is doing, for messages. */
  status(): string;
}

interface Entry {
  readonly record: StreamRecord;
  readonly passes: boolean;
  readonly readAt: number;
}

const LIMIT = 1000;

/** Sleeps, or returns early when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((ok) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      ok();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A shard poller's state, shared by its steps. */
interface Poller {
  readonly o: ShardPollerOptions;
  /** `mapping (shard)`, for messages. */
  readonly where: string;
  /** Settles when the signal aborts: one listener for the poller's life, raced against every invocation. */
  readonly stopped: Promise<'aborted'>;
  readonly warnOnce: (message: string) => void;
  /** Whether the last read found nothing (the next records are read as they come: `live`). */
  live: boolean;
  caughtUpAt: number;
  finished: boolean;
  state: string;
}

/** Starts polling one shard. */
export function startShardPoller(o: ShardPollerOptions): ShardPoller {
  const signal = o.signal;
  const warned = new Set<string>();
  const p: Poller = {
    o,
    where: `${o.spec.logicalId} (${o.shardId})`,
    stopped: new Promise<'aborted'>((ok) => {
      if (signal.aborted) ok('aborted');
      else signal.addEventListener('abort', () => ok('aborted'), { once: true });
    }),
    warnOnce: (m: string) => {
      if (warned.has(m)) return;
      warned.add(m);
      o.log(`warning: ${m}`);
    },
    live: false,
    caughtUpAt: Number.NEGATIVE_INFINITY,
    finished: false,
    state: 'starting',
  };
  const done = run(p)
    .catch((e: unknown) => {
      if (!signal.aborted) o.log(`warning: ${p.where}: poller stopped: ${(e as Error).message}`);
      return false;
    })
    .finally(() => {
      p.finished = true;
      p.state = 'finished';
      o.notify();
    });

  return {
    shardId: o.shardId,
    finished: done,
    caughtUpAt: () => p.caughtUpAt,
    isFinished: () => p.finished,
    status: () => p.state,
  };
}

/** A shard iterator from `start`. */
async function iterator(p: Poller, start: ShardStart): Promise<string | undefined> {
  const o = p.o;
  const res = await o.client.send(
    new GetShardIteratorCommand({
      StreamArn: o.streamArn,
      ShardId: o.shardId,
      ShardIteratorType: start.type as ShardIteratorType,
      ...(start.sequenceNumber ? { SequenceNumber: start.sequenceNumber } : {}),
    }),
    { abortSignal: o.signal },
  );
  return res.ShardIterator;
}

/**
 * Invokes the function with the records until they are done: retries, bisects, partial failures, records too old,
 * discards, as {@link afterInvocation} decides. One batch in flight.
 */
async function deliver(p: Poller, records: readonly StreamRecord[]): Promise<'done' | 'aborted'> {
  const { o, where } = p;
  const { spec, signal } = o;
  let queue: PendingBatch[] = [{ records, retries: 0, invokes: 0 }];
  let throttled = 0;
  while (queue.length > 0) {
    if (signal.aborted) return 'aborted';
    let head = queue[0]!;
    const expired = expiredCount(head.records, spec.maximumRecordAgeSeconds, Math.floor(Date.now() / 1000));
    if (expired > 0) {
      const old = head.records.slice(0, expired);
      o.discard({ records: old, condition: 'RecordAgeExceeded', invokes: head.invokes });
      o.checkpoint(old.at(-1)!.dynamodb.SequenceNumber);
      head = { ...head, records: head.records.slice(expired) };
      if (head.records.length === 0) {
        queue.shift();
        continue;
      }
      queue[0] = head;
    }
    p.state = `invoking ${spec.functionLogicalId} with ${head.records.length} record(s), retry ${head.retries}`;
    let result: InvokeResult | 'aborted';
    try {
      result = await Promise.race([o.invoke(spec.functionLogicalId, { Records: head.records }), p.stopped]);
    } catch (e) {
      // The function could not be invoked at all: retried until the records expire, like a throttle.
      throttled++;
      p.warnOnce(`${where}: could not invoke ${spec.functionLogicalId}: ${(e as Error).message}; retrying`);
      await sleep(Math.min(1000, 50 * 2 ** Math.min(throttled, 5)), signal);
      continue;
    }
    if (result === 'aborted') return 'aborted';
    const outcome = judgeInvocation(result, head.records, spec.reportBatchItemFailures);
    const step = afterInvocation(head, outcome, spec);
    if (step.completed > 0) o.checkpoint(head.records[step.completed - 1]!.dynamodb.SequenceNumber);
    if (outcome.kind !== 'success') {
      const n = head.records.length;
      const what =
        outcome.kind === 'partial' ? `reported ${n - outcome.firstFailed} failed record(s)` : outcome.reason;
      const then = step.discard
        ? `giving up after ${step.discard.invokes} invocation(s); ${step.discard.records.length} record(s) to ${spec.onFailure?.logicalId ?? 'nowhere (no on-failure destination)'}`
        : step.next.length === 2
          ? 'bisecting'
          : `retry ${step.next[0]?.retries}/${Number.isFinite(spec.maximumRetryAttempts) ? spec.maximumRetryAttempts : '∞'}`;
      o.log(`${where}: ${spec.functionLogicalId} ${what} (batch of ${n}); ${then}`);
    }
    if (step.discard) o.discard(step.discard);
    queue = [...step.next, ...queue.slice(1)];
    const next = queue[0];
    if (next && next.retries > head.retries) await sleep(o.retryDelayMs(next.retries), signal);
  }
  return 'done';
}

/** Reads the shard to its end (true), or until stopped or given up (false). */
async function run(p: Poller): Promise<boolean> {
  const { o, where } = p;
  const { spec, signal } = o;
  let it: string | undefined;
  let lastRead = o.start.sequenceNumber;
  const renew = async (): Promise<void> => {
    it = await iterator(p, lastRead ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastRead } : o.start);
  };
  const buffer: Entry[] = [];
  let ended = false;
  let failures = 0;
  try {
    await renew();
  } catch (e) {
    if (signal.aborted) return false;
    if (e instanceof TrimmedDataAccessException || (e as Error).name === 'ValidationException') {
      p.warnOnce(
        `${where}: cannot resume after ${lastRead} (${(e as Error).message}); reading from TRIM_HORIZON`,
      );
      lastRead = undefined;
      it = await iterator(p, { type: 'TRIM_HORIZON' });
    } else {
      throw e;
    }
  }
  if (!it) ended = true;

  const matching = () => buffer.filter((e) => e.passes).length;

  while (!signal.aborted) {
    // Records that no filter wants are finished as soon as nothing before them is pending.
    if (buffer.length > 0 && matching() === 0) {
      o.checkpoint(buffer.at(-1)!.record.dynamodb.SequenceNumber);
      buffer.length = 0;
      o.notify();
    }
    const m = matching();
    const firstAt = buffer.find((e) => e.passes)?.readAt;
    const windowLeft = firstAt === undefined ? 0 : spec.batchingWindowMs - (performance.now() - firstAt);
    const wantMore = !ended && (m === 0 || (m < spec.batchSize && windowLeft > 0));
    if (wantMore) {
      const pollStart = performance.now();
      p.state = 'reading';
      let records: SdkStreamRecord[] = [];
      try {
        const res = await o.client.send(new GetRecordsCommand({ ShardIterator: it!, Limit: LIMIT }), {
          abortSignal: signal,
        });
        failures = 0;
        records = (res.Records ?? []) as SdkStreamRecord[];
        it = res.NextShardIterator;
        if (!it) ended = true;
      } catch (e) {
        if (signal.aborted) break;
        if (e instanceof ExpiredIteratorException) {
          await renew();
          continue;
        }
        if (e instanceof TrimmedDataAccessException) {
          p.warnOnce(
            `${where}: records after ${lastRead} were trimmed from the stream; reading from TRIM_HORIZON`,
          );
          lastRead = undefined;
          it = await iterator(p, { type: 'TRIM_HORIZON' });
          continue;
        }
        if ((e as Error).name === 'ResourceNotFoundException') {
          p.warnOnce(`${where}: the stream is gone (${(e as Error).message}); this shard's poller stops`);
          return false;
        }
        failures++;
        p.warnOnce(`${where}: GetRecords failed (${(e as Error).message}); retrying`);
        await sleep(Math.min(2000, 100 * 2 ** Math.min(failures, 5)), signal);
        continue;
      }
      const readAt = performance.now();
      const observed = Date.now();
      for (const r of records) {
        const record = toLambdaRecord(r, {
          region: o.region,
          eventSourceArn: spec.eventSourceArn,
          observedAtMs: observed,
          live: p.live,
        });
        buffer.push({ record, passes: passesFilters(spec, record), readAt });
        lastRead = record.dynamodb.SequenceNumber;
      }
      p.live = records.length === 0;
      if (records.length === 0) {
        if (buffer.length === 0) {
          if (ended) break;
          p.caughtUpAt = pollStart;
          p.state = 'caught up';
          o.notify();
          await sleep(o.pollIntervalMs, signal);
          continue;
        }
        if (!ended && matching() < spec.batchSize && windowLeft > 0) {
          p.state = 'batching window';
          await sleep(Math.min(o.pollIntervalMs, windowLeft), signal);
        }
      }
      continue;
    }
    if (buffer.length === 0) {
      if (ended) break;
      continue;
    }
    // One batch: the leading matching records (batch size, 6 MB), and the filtered-out ones among them.
    const candidates: StreamRecord[] = [];
    for (const e of buffer) if (e.passes) candidates.push(e.record);
    const take = batchLength(candidates, spec.batchSize);
    const batch = candidates.slice(0, take);
    const lastSeq = batch.at(-1)!.dynamodb.SequenceNumber;
    const consumed = buffer.findIndex((e) => e.record.dynamodb.SequenceNumber === lastSeq) + 1;
    if ((await deliver(p, batch)) === 'aborted') break;
    o.checkpoint(lastSeq);
    buffer.splice(0, consumed);
    o.notify();
  }
  return ended && buffer.length === 0 && !signal.aborted;
}
