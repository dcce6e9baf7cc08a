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
import { DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { CfnTemplate, Invoke, Log } from '../types';
import { type CheckpointStore, createCheckpointStore } from './checkpoints';
import { createDeadLetterStore, type DeadLetterStore, failureMessage } from './dead-letters';
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

/** What every mapping's runner shares. */
interface Shared {
  readonly opts: EventSourceMappingsOptions;
  readonly log: Log;
  readonly region: string;
  readonly pollIntervalMs: number;
  readonly discoveryIntervalMs: number;
  readonly retryDelayMs: (n: number) => number;
  readonly client: DynamoDBStreamsClient;
  readonly config: DynamoDBClientConfig;
  readonly signal: AbortSignal;
  readonly checkpoints: CheckpointStore;
  readonly deadLetters: DeadLetterStore;
  readonly changes: Changes;
}

/** One mapping's shard discovery loop and its shards' pollers. */
interface Runner {
  readonly spec: StreamMappingSpec;
  readonly pollers: Map<string, ShardPoller>;
  discoveredAt: number;
  readonly kick: () => void;
  loop: Promise<void>;
}

/** A promise that settles at the next change of any poller or runner (and is then replaced). */
interface Changes {
  readonly next: () => Promise<void>;
  readonly notify: () => void;
}

function createChanges(): Changes {
  let wake: () => void = () => {};
  let changed = new Promise<void>((ok) => {
    wake = ok;
  });
  return {
    next: () => changed,
    notify: () => {
      const w = wake;
      changed = new Promise<void>((ok) => {
        wake = ok;
      });
      w();
    },
  };
}

/** Reads the template's stream mappings and starts polling. Never throws for a template problem: it warns. */
export async function startEventSourceMappings(
  opts: EventSourceMappingsOptions,
): Promise<EventSourceMappings> {
  const log = opts.log ?? (() => {});
  const { specs, warnings } = readStreamMappings(opts.template, opts.resolver);
  for (const w of warnings) log(`warning: ${w}`);
  const region = opts.region ?? 'us-east-1';
  const config = {
    endpoint: opts.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  };
  const abort = new AbortController();
  // Every poller's SDK calls and sleeps listen to this one signal.
  setMaxListeners(10_000, abort.signal);
  const s: Shared = {
    opts,
    log,
    region,
    pollIntervalMs: opts.pollIntervalMs ?? 250,
    discoveryIntervalMs: opts.discoveryIntervalMs ?? 1000,
    retryDelayMs: opts.retryDelayMs ?? ((n: number) => Math.min(1000, 100 * 2 ** (n - 1))),
    client: new DynamoDBStreamsClient(config),
    config,
    signal: abort.signal,
    deadLetters: createDeadLetterStore(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    checkpoints: createCheckpointStore(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    changes: createChanges(),
  };
  const runners: Runner[] = [];
  for (const spec of specs) {
    const windowS = spec.batchingWindowMs / 1000;
    const describe = `${spec.tableLogicalId ?? spec.eventSourceArn} stream -> ${spec.functionLogicalId} (batch ${spec.batchSize}, window ${windowS} s, ${spec.startingPosition}${spec.filtersDeclared ? `, ${spec.filters.length} filter(s)` : ''})`;
    if (!spec.enabled) {
      log(`Event source mapping ${spec.logicalId} is disabled (Enabled: false): ${describe}`);
      continue;
    }
    log(`Event source mapping ${spec.logicalId}: ${describe}`);
    runners.push(startRunner(s, spec));
  }

  return {
    mappings: specs,
    deadLetters: (id) => s.deadLetters.read(id),
    idle: ({ timeoutMs = 30_000 } = {}) => waitIdle(s, runners, timeoutMs),
    async stop() {
      abort.abort();
      s.changes.notify();
      await Promise.all(runners.map((r) => r.loop));
      await Promise.all(runners.flatMap((r) => [...r.pollers.values()].map((p) => p.finished)));
      s.client.destroy();
    },
  };
}

/** Resolves once every runner has listed its shards and every poller caught up since the call. */
async function waitIdle(s: Shared, runners: readonly Runner[], timeoutMs: number): Promise<void> {
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
    const wait = s.changes.next();
    const left = busy();
    if (left.length === 0) return;
    if (s.signal.aborted) throw new Error('event source mappings are stopped');
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
}

/** The engine's ARN of the mapping's stream, asked of the table when the template's is not the engine's. */
async function engineStreamArn(s: Shared, spec: StreamMappingSpec): Promise<string | undefined> {
  const signal = s.signal;
  try {
    await s.client.send(new DescribeStreamCommand({ StreamArn: spec.eventSourceArn, Limit: 1 }), {
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
  const ddb = new DynamoDBClient(s.config);
  try {
    const t = (await ddb.send(new DescribeTableCommand({ TableName: table }), { abortSignal: signal })).Table;
    return t?.StreamSpecification?.StreamEnabled ? t.LatestStreamArn : undefined;
  } catch {
    return undefined;
  } finally {
    ddb.destroy();
  }
}

async function listShards(s: Shared, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const d = (
      await s.client.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
        { abortSignal: s.signal },
      )
    ).StreamDescription;
    shards.push(...(d?.Shards ?? []));
    start = d?.LastEvaluatedShardId;
  } while (start);
  return shards;
}

/** A batch given up on: to the on-failure destination's dead letters, or only logged without one. */
function discard(s: Shared, spec: StreamMappingSpec, streamArn: string, shardId: string, d: Discard): void {
  if (!spec.onFailure) {
    s.log(
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
  s.deadLetters.send(spec.onFailure.logicalId, message);
  const file = s.deadLetters.fileOf(spec.onFailure.logicalId);
  s.log(
    `${spec.logicalId}: ${d.records.length} record(s) (${d.condition}) sent to ${spec.onFailure.logicalId}${file ? ` (${file}; npm run redrive replays them)` : ''}`,
  );
}

/** A mapping's runner: finds its stream, then lists shards every interval (or when kicked) and polls new ones. */
function startRunner(s: Shared, spec: StreamMappingSpec): Runner {
  // A warning that repeats (a poller restarted, a stream still missing) is printed once per mapping.
  const seen = new Set<string>();
  const once: Log = (line) => {
    if (line.startsWith('warning:') && seen.has(line)) return;
    seen.add(line);
    s.log(line);
  };
  let kick: () => void = () => {};
  const runner: Runner = {
    spec,
    pollers: new Map(),
    discoveredAt: Number.NEGATIVE_INFINITY,
    kick: () => kick(),
    loop: Promise.resolve(),
  };
  const signal = s.signal;
  runner.loop = (async () => {
    const arn = await findStream(s, spec, once);
    if (!arn) return;
    const saved = s.checkpoints.load(spec.logicalId, arn);
    s.checkpoints.begin(spec.logicalId, arn);
    const done = new Set(
      Object.entries(saved?.shards ?? {})
        .filter(([, c]) => c.done)
        .map(([id]) => id),
    );
    const shardRun = { arn, done, first: true, fresh: !saved, log: once, kick: () => kick() };
    while (!signal.aborted) {
      const started = performance.now();
      let shards: Shard[] = [];
      try {
        shards = await listShards(s, arn);
      } catch (e) {
        if (signal.aborted) break;
        once(`warning: ${spec.logicalId}: DescribeStream failed (${(e as Error).message})`);
      }
      pollNewShards(s, runner, shards, shardRun);
      shardRun.first = false;
      runner.discoveredAt = started;
      s.changes.notify();
      await new Promise<void>((ok) => {
        kick = ok;
        void sleep(s.discoveryIntervalMs, signal).then(ok);
      });
    }
  })().catch((e: unknown) => {
    if (!signal.aborted) s.log(`warning: ${spec.logicalId}: stopped: ${(e as Error).message}`);
  });
  return runner;
}

/** Waits until the engine has the mapping's stream; `undefined` once stopped. */
async function findStream(s: Shared, spec: StreamMappingSpec, once: Log): Promise<string | undefined> {
  let streamArn: string | undefined;
  while (!s.signal.aborted && !streamArn) {
    try {
      streamArn = await engineStreamArn(s, spec);
    } catch (e) {
      once(`warning: ${spec.logicalId}: cannot reach the stream (${(e as Error).message}); retrying`);
    }
    if (!streamArn && !s.signal.aborted) {
      once(`warning: ${spec.logicalId}: stream ${spec.eventSourceArn} not found in the engine; retrying`);
      await sleep(s.discoveryIntervalMs * 5, s.signal);
    }
  }
  return streamArn;
}

/** Starts a poller for each listed shard not yet polled nor done, parents before their children. */
function pollNewShards(
  s: Shared,
  runner: Runner,
  shards: readonly Shard[],
  run: {
    readonly arn: string;
    readonly done: Set<string>;
    readonly first: boolean;
    readonly fresh: boolean;
    readonly log: Log;
    readonly kick: () => void;
  },
): void {
  const { spec, pollers } = runner;
  const { arn, done } = run;
  const known = new Set(shards.map((x) => x.ShardId));
  for (const shard of shards) {
    const id = shard.ShardId!;
    if (pollers.has(id) || done.has(id)) continue;
    const parent = shard.ParentShardId;
    if (parent && known.has(parent) && !done.has(parent)) continue; // parents first, for order
    const seq = s.checkpoints.load(spec.logicalId, arn)?.shards[id]?.sequenceNumber;
    let start: ShardStart;
    if (seq) start = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: seq };
    else if (run.first && run.fresh && spec.startingPosition === 'LATEST') {
      if (shard.SequenceNumberRange?.EndingSequenceNumber) {
        done.add(id); // closed before the mapping existed: nothing LATEST would read
        continue;
      }
      start = { type: 'LATEST' };
    } else start = { type: 'TRIM_HORIZON' };
    const poller = startShardPoller({
      client: s.client,
      spec,
      streamArn: arn,
      shardId: id,
      start,
      invoke: s.opts.invoke,
      region: s.region,
      pollIntervalMs: s.pollIntervalMs,
      retryDelayMs: s.retryDelayMs,
      checkpoint: (sequenceNumber) => s.checkpoints.save(spec.logicalId, arn, id, { sequenceNumber }),
      discard: (d) => discard(s, spec, arn, id, d),
      log: run.log,
      signal: s.signal,
      notify: s.changes.notify,
    });
    pollers.set(id, poller);
    void poller.finished.then(async (ended) => {
      if (ended) {
        done.add(id);
        pollers.delete(id);
        s.checkpoints.save(spec.logicalId, arn, id, { done: true });
        run.kick(); // a child may be waiting for this parent
      } else if (!s.signal.aborted) {
        // It gave up (engine unreachable, stream gone): start it again later, from its checkpoint.
        await sleep(s.discoveryIntervalMs * 5, s.signal);
        pollers.delete(id);
      }
    });
  }
}
