/**
 * The on-failure destination of a stream mapping, locally: the message Lambda would send (pure,
 * {@link failureMessage}) and a store that keeps one JSON line per message in
 * `<dataDir>/dead-letters/<destinationLogicalId>.jsonl` (in memory without a data dir), where a person can read
 * it and {@link DeadLetterStore.read} returns it.
 *
 * As on AWS, the message carries the batch's position in the stream (`DDBStreamBatchInfo`), not the records:
 * read them back with `GetShardIterator` (`AT_SEQUENCE_NUMBER` = `startSequenceNumber`) while the stream keeps them.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Discard } from './plan';
import type { FailureMessage } from './types';

export interface FailureMessageInput {
  readonly discard: Discard;
  readonly functionArn: string;
  readonly shardId: string;
  readonly streamArn: string;
  readonly now: Date;
  /** @default a random UUID */
  readonly requestId?: string;
}

function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The message Lambda sends to an SQS/SNS on-failure destination for a discarded DynamoDB stream batch. */
export function failureMessage(input: FailureMessageInput): FailureMessage {
  const { records, condition, invokes, functionError } = input.discard;
  const first = records[0];
  const last = records.at(-1);
  return {
    requestContext: {
      requestId: input.requestId ?? randomUUID(),
      functionArn: input.functionArn,
      condition,
      approximateInvokeCount: invokes,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(functionError ? { functionError } : {}),
    },
    version: '1.0',
    timestamp: input.now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first?.dynamodb.SequenceNumber ?? '',
      endSequenceNumber: last?.dynamodb.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: isoSeconds(first?.dynamodb.ApproximateCreationDateTime ?? 0),
      approximateArrivalOfLastRecord: isoSeconds(last?.dynamodb.ApproximateCreationDateTime ?? 0),
      batchSize: records.length,
      streamArn: input.streamArn,
    },
  };
}

/** Where discarded batches are kept. */
export interface DeadLetterStore {
  /** Keeps one message for a destination. */
  send(destinationLogicalId: string, message: unknown): void;
  /** The messages of one destination, or of all (in destination order), oldest first. */
  read(destinationLogicalId?: string): unknown[];
  /** The file of a destination, when kept on disk. */
  fileOf(destinationLogicalId: string): string | undefined;
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** A store under `<dataDir>/dead-letters/`, or in memory. */
export function createDeadLetterStore(opts: { readonly dataDir?: string } = {}): DeadLetterStore {
  const dir = opts.dataDir ? join(opts.dataDir, 'dead-letters') : undefined;
  const memory = new Map<string, unknown[]>();
  const fileOf = (id: string) => (dir ? join(dir, `${safeName(id)}.jsonl`) : undefined);
  const readFile = (file: string): unknown[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          return { unreadable: l };
        }
      });
  return {
    send(id, message) {
      const file = fileOf(id);
      if (file && dir) {
        mkdirSync(dir, { recursive: true });
        appendFileSync(file, `${JSON.stringify(message)}\n`);
      } else {
        memory.set(id, [...(memory.get(id) ?? []), message]);
      }
    },
    read(id) {
      if (!dir) {
        if (id !== undefined) return [...(memory.get(id) ?? [])];
        return [...memory.keys()].sort().flatMap((k) => memory.get(k) ?? []);
      }
      if (id !== undefined) {
        const file = fileOf(id)!;
        return existsSync(file) ? readFile(file) : [];
      }
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .flatMap((f) => readFile(join(dir, f)));
    },
    fileOf,
  };
}
