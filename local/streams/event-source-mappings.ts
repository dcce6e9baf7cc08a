/**
 * The twin's Lambda event source mappings on DynamoDB streams: reads them from the template, finds each
 * stream's shards (again every second and whenever a shard ends, since the engine may close a shard and open a
 * child), and runs one {@link startShardPoller} per mapping per shard, a child only after its parent was read
 * to the end. Failed batches go to the on-failure destination's dead-letter file; progress is checkpointed.
 *
 * @example
 * const streams = await startEventSourceMappings({ template, resolver, invoke: lambda.invoke, endpoint, log });
 * await client.send(new PutItemCommand({ ... }));
 * await streams.idle(); // the consumer has seen the write
 * await streams.stop();
 * @module
 */
import { setMaxListeners } from 'node:events';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { CfnTemplate, Invoke, Log } from '../types';
import { createCheckpointStore } from './checkpoints';
import { createDeadLetterStore, failureMessage } from './dead-letters';
import { type MappingResolver, readStreamMappings } from './mapping';
import type { Discard } from './plan';
import { type ShardPoller, type ShardStart, sleep, startShardPoller } from './shard-poller';
import type { StreamMappingSpec } from './types';

export interface EventSourceMappingsOptions {
  readonly template: CfnTemplate;
  /** Resolves the template (the tables' `StreamArn` already set to the engine's). */
  readonly resolver: MappingResolver;
  /** Invokes a function by logical id (the Lambda runtime's `invoke`). */
  readonly invoke: Invoke;
  /** The DynamoDB (and Streams) endpoint. */
  readonly endpoint: string;
  /** `awsRegion` of the records. @default 'us-east-1' */
  readonly region?: string;
  /** Keeps dead letters and checkpoints here; in memory when absent. */
  readonly dataDir?: string;
  /** @default silent */
  readonly log?: Log;
  /** How long a caught-up poller waits before asking again (AWS: four polls a second per shard). @default 250 */
  readonly pollIntervalMs?: number;
  /** How often shards are listed. @default 1000 */
  readonly discoveryIntervalMs?: number;
  /** Delay before the n-th retry of the same records. @default 100 ms doubling, at most 1 s */
  readonly retryDelayMs?: (n: number) => number;
}

/** Running mappings. */
export interface EventSourceMappings {
  /** The mappings read from the template (including disabled ones). */
  readonly mappings: readonly StreamMappingSpec[];
  /**
   * Resolves once every poller has read its shard up to what was written before the call and has nothing in
   * flight; rejects after `timeoutMs` (default 30 s) naming what is still busy.
   */
  idle(opts?: { readonly timeoutMs?: number }): Promise<void>;
  /** Failed-batch messages kept for a destination (by its logical id), or for all destinations. */
  deadLetters(destinationLogicalId?: string): unknown[];
  /** Stops polling; an invocation in flight is abandoned (not checkpointed), to be redelivered next start. */
  stop(): Promise<void>;
}

const STREAM_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\/.+$/;

/** Reads the template's stream mappings and starts polling. Never throws for a template problem: it warns. */
export async function startEventSourceMappings(
  opts: EventSourceMappingsOptions,
): Promise<EventSourceMappings> {
  const log = opts.log ?? (() => {});
  const region = opts.region ?? 'us-east-1';
  const pollIntervalMs = opts.pollIntervalMs ?? 250;
  const discoveryIntervalMs = opts.discoveryIntervalMs ?? 1000;
  const retryDelayMs = opts.retryDelayMs ?? ((n: number) => Math.min(1000, 100 * 2 ** (n - 1)));
  const { specs, warnings } = readStreamMappings(opts.template, opts.resolver);
  for (const w of warnings) log(`warning: ${w}`);

  const deadLetters = createDeadLetterStore(opts.dataDir ? { dataDir: opts.dataDir } : {});
  const checkpoints = createCheckpointStore(opts.dataDir ? { dataDir: opts.dataDir } : {});
  const config = {
    endpoint: opts.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  };
  const client = new DynamoDBStreamsClient(config);
  const abort = new AbortController();
  const signal = abort.signal;
  // Every poller's SDK calls and sleeps listen to this one signal.
  setMaxListeners(10_000, signal);

  let wake: () => void = () => {};
  let changed = new Promise<void>((ok) => {
    wake = ok;
  });
  const notify = () => {
    const w = wake;
    changed = new Promise<void>((ok) => {
      wake = ok;
    });
    w();
  };

  interface Runner {
    readonly spec: StreamMappingSpec;
    readonly pollers: Map<string, ShardPoller>;
    discoveredAt: number;
    readonly kick: () => void;
    loop: Promise<void>;
  }
  const runners: Runner[] = [];

  async function engineStreamArn(spec: StreamMappingSpec): Promise<string | undefined> {
    try {
      await client.send(new DescribeStreamCommand({ StreamArn: spec.eventSourceArn, Limit: 1 }), {
        abortSignal: signal,
      });
      return spec.eventSourceArn;
    } catch (e) {
      if (signal.aborted) return undefined;
      const name = (e as Error).name;
      if (name !== 'ResourceNotFoundException' && name !== 'ValidationException') throw e;
    }
    // The template's ARN is not the engine's (e.g. the resolver's placeholder label): ask the table.
    const table = STREAM_ARN.exec(spec.eventSourceArn)?.[1];
    if (!table) return undefined;
    const ddb = new DynamoDBClient(config);
    try {
      const t = (await ddb.send(new DescribeTableCommand({ TableName: table }), { abortSignal: signal }))
        .Table;
      return t?.StreamSpecification?.StreamEnabled ? t.LatestStreamArn : undefined;
    } catch {
      return undefined;
    } finally {
      ddb.destroy();
    }
  }

  async function listShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const d = (
        await client.send(
          new DescribeStreamCommand({
            StreamArn: streamArn,
            ...(start ? { ExclusiveStartShardId: start } : {}),
          }),
          { abortSignal: signal },
        )
      ).StreamDescription;
      shards.push(...(d?.Shards ?? []));
      start = d?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  function discard(spec: StreamMappingSpec, streamArn: string, shardId: string, d: Discard): void {
    if (!spec.onFailure) {
      log(
        `warning: ${spec.logicalId}: ${d.records.length} record(s) discarded (${d.condition}); no on-failure destination`,
      );
      return;
    }
    const message = failureMessage({
      discard: d,
      functionArn: spec.functionArn,
      shardId,
      streamArn,
      now: new Date(),
    });
    deadLetters.send(spec.onFailure.logicalId, message);
    const file = deadLetters.fileOf(spec.onFailure.logicalId);
    log(
      `${spec.logicalId}: ${d.records.length} record(s) (${d.condition}) sent to ${spec.onFailure.logicalId}${file ? ` (${file}; npm run redrive replays them)` : ''}`,
    );
  }

  function startRunner(spec: StreamMappingSpec): void {
    const pollers = new Map<string, ShardPoller>();
    // A warning that repeats (a poller restarted, a stream still missing) is printed once per mapping.
    const seen = new Set<string>();
    const once: Log = (line) => {
      if (line.startsWith('warning:') && seen.has(line)) return;
      seen.add(line);
      log(line);
    };
    let kick: () => void = () => {};
    const runner: Runner = {
      spec,
      pollers,
      discoveredAt: Number.NEGATIVE_INFINITY,
      kick: () => kick(),
      loop: Promise.resolve(),
    };
    runners.push(runner);
    runner.loop = (async () => {
      let streamArn: string | undefined;
      while (!signal.aborted && !streamArn) {
        try {
          streamArn = await engineStreamArn(spec);
        } catch (e) {
          once(`warning: ${spec.logicalId}: cannot reach the stream (${(e as Error).message}); retrying`);
        }
        if (!streamArn && !signal.aborted) {
          once(`warning: ${spec.logicalId}: stream ${spec.eventSourceArn} not found in the engine; retrying`);
          await sleep(discoveryIntervalMs * 5, signal);
        }
      }
      if (!streamArn) return;
      const arn = streamArn;
      const saved = checkpoints.load(spec.logicalId, arn);
      checkpoints.begin(spec.logicalId, arn);
      const done = new Set(
        Object.entries(saved?.shards ?? {})
          .filter(([, c]) => c.done)
          .map(([id]) => id),
      );
      let first = true;
      while (!signal.aborted) {
        const started = performance.now();
        let shards: Shard[] = [];
        try {
          shards = await listShards(arn);
        } catch (e) {
          if (signal.aborted) break;
          once(`warning: ${spec.logicalId}: DescribeStream failed (${(e as Error).message})`);
        }
        const known = new Set(shards.map((s) => s.ShardId));
        for (const s of shards) {
          const id = s.ShardId!;
          if (pollers.has(id) || done.has(id)) continue;
          const parent = s.ParentShardId;
          if (parent && known.has(parent) && !done.has(parent)) continue; // parents first, for order
          const seq = checkpoints.load(spec.logicalId, arn)?.shards[id]?.sequenceNumber;
          let start: ShardStart;
          if (seq) start = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: seq };
          else if (first && !saved && spec.startingPosition === 'LATEST') {
            if (s.SequenceNumberRange?.EndingSequenceNumber) {
              done.add(id); // closed before the mapping existed: nothing LATEST would read
              continue;
            }
            start = { type: 'LATEST' };
          } else start = { type: 'TRIM_HORIZON' };
          const poller = startShardPoller({
            client,
            spec,
            streamArn: arn,
            shardId: id,
            start,
            invoke: opts.invoke,
            region,
            pollIntervalMs,
            retryDelayMs,
            checkpoint: (sequenceNumber) => checkpoints.save(spec.logicalId, arn, id, { sequenceNumber }),
            discard: (d) => discard(spec, arn, id, d),
            log: once,
            signal,
            notify,
          });
          pollers.set(id, poller);
          void poller.finished.then(async (ended) => {
            if (ended) {
              done.add(id);
              pollers.delete(id);
              checkpoints.save(spec.logicalId, arn, id, { done: true });
              kick(); // a child may be waiting for this parent
            } else if (!signal.aborted) {
              // It gave up (engine unreachable, stream gone): start it again later, from its checkpoint.
              await sleep(discoveryIntervalMs * 5, signal);
              pollers.delete(id);
            }
          });
        }
        first = false;
        runner.discoveredAt = started;
        notify();
        await new Promise<void>((ok) => {
          kick = ok;
          void sleep(discoveryIntervalMs, signal).then(ok);
        });
      }
    })().catch((e: unknown) => {
      if (!signal.aborted) log(`warning: ${spec.logicalId}: stopped: ${(e as Error).message}`);
    });
  }

  for (const spec of specs) {
    const windowS = spec.batchingWindowMs / 1000;
    const describe = `${spec.tableLogicalId ?? spec.eventSourceArn} stream -> ${spec.functionLogicalId} (batch ${spec.batchSize}, window ${windowS} s, ${spec.startingPosition}${spec.filtersDeclared ? `, ${spec.filters.length} filter(s)` : ''})`;
    if (!spec.enabled) {
      log(`Event source mapping ${spec.logicalId} is disabled (Enabled: false): ${describe}`);
      continue;
    }
    log(`Event source mapping ${spec.logicalId}: ${describe}`);
    startRunner(spec);
  }

  return {
    mappings: specs,
    deadLetters: (id) => deadLetters.read(id),
    async idle({ timeoutMs = 30_000 } = {}) {
      const t0 = performance.now();
      for (const r of runners) r.kick();
      const busy = () => {
        const out: string[] = [];
        for (const r of runners) {
          if (r.discoveredAt < t0) out.push(`${r.spec.logicalId}: listing shards`);
          for (const p of r.pollers.values()) {
            if (!p.isFinished() && p.caughtUpAt() < t0)
              out.push(`${r.spec.logicalId} ${p.shardId}: ${p.status()}`);
          }
        }
        return out;
      };
      const deadline = t0 + timeoutMs;
      for (;;) {
        const wait = changed;
        const left = busy();
        if (left.length === 0) return;
        if (signal.aborted) throw new Error('event source mappings are stopped');
        const remaining = deadline - performance.now();
        if (remaining <= 0)
          throw new Error(`stream pollers still busy after ${timeoutMs} ms: ${left.join('; ')}`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          wait,
          new Promise<void>((ok) => {
            timer = setTimeout(ok, Math.min(remaining, 250));
          }),
        ]);
        clearTimeout(timer);
      }
    },
    async stop() {
      abort.abort();
      notify();
      await Promise.all(runners.map((r) => r.loop));
      await Promise.all(runners.flatMap((r) => [...r.pollers.values()].map((p) => p.finished)));
      client.destroy();
    },
  };
}
