/**
 * Where each mapping stands in each shard: the last sequence number it finished (delivered, filtered out or
 * discarded) and the shards it read to their end. In memory, and with a data dir also in
 * `<dataDir>/streams/checkpoints.json`, so a restart of the twin on persisted tables resumes after the last
 * finished record instead of replaying the stream from `TRIM_HORIZON`.
 *
 * Keyed by mapping and stream ARN: a new stream (fresh tables, a re-created table) starts over.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One shard's progress. */
export interface ShardCheckpoint {
  /** The last finished sequence number. */
  readonly sequenceNumber?: string;
  /** Read to its end (a closed shard) and everything finished. */
  readonly done?: boolean;
}

/** One mapping's progress on one stream. */
export interface MappingCheckpoint {
  readonly streamArn: string;
  readonly shards: Readonly<Record<string, ShardCheckpoint>>;
}

export interface CheckpointStore {
  /** The mapping's progress on this stream; `undefined` when it never ran on it. */
  load(mappingId: string, streamArn: string): MappingCheckpoint | undefined;
  /** Records progress (sequence numbers only move forward). */
  save(mappingId: string, streamArn: string, shardId: string, update: ShardCheckpoint): void;
  /** Marks that the mapping started on the stream (so shards it never saw start at their beginning). */
  begin(mappingId: string, streamArn: string): void;
}

/** Compares two sequence numbers (decimal strings of any length). */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A checkpoint store, persisted under `dataDir` when given. */
export function createCheckpointStore(opts: { readonly dataDir?: string } = {}): CheckpointStore {
  const file = opts.dataDir ? join(opts.dataDir, 'streams', 'checkpoints.json') : undefined;
  let state: Record<string, MappingCheckpoint> = {};
  if (file && existsSync(file)) {
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, MappingCheckpoint>;
    } catch {
      state = {}; // unreadable: start over (consumers are idempotent)
    }
  }
  const persist = () => {
    if (!file) return;
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 1));
    renameSync(tmp, file);
  };
  const current = (id: string, streamArn: string): MappingCheckpoint => {
    const c = state[id];
    return c && c.streamArn === streamArn ? c : { streamArn, shards: {} };
  };
  return {
    load(id, streamArn) {
      const c = state[id];
      return c && c.streamArn === streamArn ? c : undefined;
    },
    begin(id, streamArn) {
      state[id] = current(id, streamArn);
      persist();
    },
    save(id, streamArn, shardId, update) {
      const c = current(id, streamArn);
      const old = c.shards[shardId] ?? {};
      const seq =
        update.sequenceNumber &&
        (!old.sequenceNumber || compareSequenceNumbers(update.sequenceNumber, old.sequenceNumber) > 0)
          ? update.sequenceNumber
          : old.sequenceNumber;
      const next: ShardCheckpoint = {
        ...(seq ? { sequenceNumber: seq } : {}),
        ...(update.done || old.done ? { done: true } : {}),
      };
      state[id] = { streamArn, shards: { ...c.shards, [shardId]: next } };
      persist();
    },
  };
}
