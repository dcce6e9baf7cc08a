/**
 * Redrive: replays the stream batches an event source mapping gave up on. The on-failure destination holds
 * an invocation record per failed batch, which points at the records (`DDBStreamBatchInfo`: stream ARN, shard,
 * first and last sequence numbers) rather than holding them; so for each message this reads the records back
 * from the stream (`GetShardIterator` `AT_SEQUENCE_NUMBER`, then `GetRecords` up to the last sequence number),
 * keeps those the mapping's filter criteria pass, invokes the function with the event the mapping would send
 * (`{ Records: [...] }`, batches of the mapping's batch size), and deletes the message only once every batch
 * of it succeeded. A message that cannot be replayed (records trimmed, function failing) is kept, with why.
 *
 * The ports make one code path serve AWS (SQS, DynamoDB Streams, Lambda) and the twin (its dead-letter file,
 * DynamoDB Local, the twin's Lambda API).
 * @module
 */
import { type FilterPattern, parseFilterPattern, passesFilters } from '../streams/filter';
import { batchLength, judgeInvocation } from '../streams/plan';
import { type SdkStreamRecord, toLambdaRecord } from '../streams/record';
import type { StreamRecord } from '../streams/types';
import type { InvokeResult, Log } from '../types';

/** What a failed-batch message says about its batch. */
export interface FailedBatch {
  readonly functionArn: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
}

/** The parts of a mapping a replay must honour. */
export interface MappingView {
  readonly filters: readonly FilterPattern[];
  readonly filtersDeclared: boolean;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
}

/** How a redrive reaches the stream and the function. */
export interface RedrivePorts {
  getShardIterator(streamArn: string, shardId: string, sequenceNumber: string): Promise<string | undefined>;
  getRecords(iterator: string): Promise<{ records: SdkStreamRecord[]; next?: string }>;
  invoke(functionArn: string, event: unknown): Promise<InvokeResult>;
  mapping(functionArn: string, streamArn: string): Promise<MappingView>;
}

/** One message of the destination. */
export interface ReceivedMessage {
  /** SQS receipt handle, or the message's place in the dead-letter file. */
  readonly id: string;
  readonly body: unknown;
}

/** Where the messages come from and go once handled. */
export interface MessageSource {
  /** The next messages; empty when there are no more. */
  next(): Promise<ReceivedMessage[]>;
  /** The message's batch was replayed: it goes. */
  delete(m: ReceivedMessage): Promise<void>;
  /** The message stays (for a later redrive). */
  keep(m: ReceivedMessage, reason: string): Promise<void>;
  /** Called once at the end. */
  close(): Promise<void>;
}

/** One message's replay: what it read and sent, or why it is kept. */
export type ReplayOutcome =
  | { readonly ok: true; readonly read: number; readonly delivered: number; readonly invocations: number }
  | { readonly ok: false; readonly reason: string };

/** What a redrive did. */
export interface RedriveSummary {
  readonly replayed: number;
  readonly records: number;
  readonly kept: readonly { readonly id: string; readonly reason: string }[];
}

const SEQUENCE = /^\d{1,40}$/;

/** Reads a message body (a JSON string or an object); on error names the field by JSON Pointer. */
export function parseFailedBatch(body: unknown): FailedBatch | { readonly error: string } {
  let m: unknown = body;
  if (typeof m === 'string') {
    try {
      m = JSON.parse(m);
    } catch {
      return { error: 'the message is not JSON' };
    }
  }
  if (!isObject(m)) return { error: '/: the message is not an object' };
  const ctx = m['requestContext'];
  const functionArn = isObject(ctx) ? ctx['functionArn'] : undefined;
  if (typeof functionArn !== 'string' || !functionArn)
    return { error: '/requestContext/functionArn: missing' };
  const info = m['DDBStreamBatchInfo'];
  if (!isObject(info)) return { error: '/DDBStreamBatchInfo: missing (not a DynamoDB stream batch)' };
  for (const k of ['streamArn', 'shardId'] as const) {
    if (typeof info[k] !== 'string' || !info[k]) return { error: `/DDBStreamBatchInfo/${k}: missing` };
  }
  for (const k of ['startSequenceNumber', 'endSequenceNumber'] as const) {
    if (typeof info[k] !== 'string' || !SEQUENCE.test(info[k] as string))
      return { error: `/DDBStreamBatchInfo/${k}: not a sequence number` };
  }
  return {
    functionArn,
    streamArn: info['streamArn'] as string,
    shardId: info['shardId'] as string,
    startSequenceNumber: info['startSequenceNumber'] as string,
    endSequenceNumber: info['endSequenceNumber'] as string,
    batchSize: typeof info['batchSize'] === 'number' ? info['batchSize'] : 0,
  };
}

/** A mapping as Lambda's `ListEventSourceMappings` describes it (`EventSourceMappings[0]`). */
export function mappingFromApi(m: unknown): MappingView {
  const o = isObject(m) ? m : {};
  const criteria = isObject(o['FilterCriteria']) ? o['FilterCriteria'] : {};
  const declared = Array.isArray(criteria['Filters']) ? criteria['Filters'] : [];
  const filters: FilterPattern[] = [];
  for (const f of declared) {
    const parsed = parseFilterPattern(isObject(f) ? f['Pattern'] : undefined);
    if (parsed.ok) filters.push(parsed.pattern);
  }
  const types = Array.isArray(o['FunctionResponseTypes']) ? o['FunctionResponseTypes'] : [];
  const size = o['BatchSize'];
  return {
    filters,
    filtersDeclared: declared.length > 0,
    batchSize: typeof size === 'number' && size > 0 ? size : 100,
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
  };
}

/** Compares decimal sequence numbers of any length. */
function compare(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
}

/** The records of a failed batch, from its first to its last sequence number. */
export async function readBatch(ports: RedrivePorts, batch: FailedBatch): Promise<SdkStreamRecord[]> {
  let it = await ports.getShardIterator(batch.streamArn, batch.shardId, batch.startSequenceNumber);
  const out: SdkStreamRecord[] = [];
  // A shard may answer empty pages before its records (AWS documents it); bounded so a gap cannot spin.
  for (let empty = 0; it && empty < 20; ) {
    const { records, next } = await ports.getRecords(it);
    if (records.length === 0) empty++;
    for (const r of records) {
      const seq = r.dynamodb?.SequenceNumber ?? '';
      if (compare(seq, batch.endSequenceNumber) > 0) return out;
      out.push(r);
      if (compare(seq, batch.endSequenceNumber) === 0) return out;
    }
    it = next;
  }
  return out;
}

const regionOf = (arn: string) => arn.split(':')[3] || 'us-east-1';

/** Replays one message's batch. */
export async function replay(ports: RedrivePorts, batch: FailedBatch): Promise<ReplayOutcome> {
  const mapping = await ports.mapping(batch.functionArn, batch.streamArn);
  let raw: SdkStreamRecord[];
  try {
    raw = await readBatch(ports, batch);
  } catch (e) {
    const name = (e as { code?: string }).code ?? (e as Error).name;
    if (name === 'TrimmedDataAccessException' || name === 'ResourceNotFoundException')
      return { ok: false, reason: `the records are no longer in the stream (${(e as Error).message})` };
    throw e;
  }
  const last = raw.at(-1)?.dynamodb?.SequenceNumber;
  if (!last || compare(last, batch.endSequenceNumber) !== 0)
    return { ok: false, reason: `the stream no longer holds the batch up to ${batch.endSequenceNumber}` };
  const ctx = {
    region: regionOf(batch.streamArn),
    eventSourceArn: batch.streamArn,
    observedAtMs: Date.now(),
    live: false,
  };
  const records: StreamRecord[] = raw
    .map((r) => toLambdaRecord(r, ctx))
    .filter((r) => passesFilters(mapping, r));
  let invocations = 0;
  for (let i = 0; i < records.length; ) {
    const n = Math.max(1, batchLength(records.slice(i), mapping.batchSize));
    const chunk = records.slice(i, i + n);
    invocations++;
    const outcome = judgeInvocation(
      await ports.invoke(batch.functionArn, { Records: chunk }),
      chunk,
      mapping.reportBatchItemFailures,
    );
    if (outcome.kind === 'failure') return { ok: false, reason: `the function failed: ${outcome.reason}` };
    if (outcome.kind === 'partial')
      return {
        ok: false,
        reason: `the function reported ${chunk.length - outcome.firstFailed} failed record(s)`,
      };
    i += n;
  }
  return { ok: true, read: raw.length, delivered: records.length, invocations };
}

/** Replays every message of `source`, deleting each once its batch succeeded. */
export async function redrive(
  source: MessageSource,
  ports: RedrivePorts,
  log: Log = () => {},
): Promise<RedriveSummary> {
  let replayed = 0;
  let records = 0;
  const kept: { id: string; reason: string }[] = [];
  const keep = async (m: ReceivedMessage, reason: string) => {
    kept.push({ id: m.id, reason });
    log(`kept ${m.id}: ${reason}`);
    await source.keep(m, reason);
  };
  try {
    for (let page = await source.next(); page.length > 0; page = await source.next()) {
      for (const m of page) {
        const batch = parseFailedBatch(m.body);
        if ('error' in batch) {
          await keep(m, batch.error);
          continue;
        }
        let outcome: ReplayOutcome;
        try {
          outcome = await replay(ports, batch);
        } catch (e) {
          outcome = { ok: false, reason: (e as Error).message };
        }
        if (!outcome.ok) {
          await keep(m, outcome.reason);
          continue;
        }
        await source.delete(m);
        replayed++;
        records += outcome.delivered;
        log(
          `replayed ${m.id}: ${batch.shardId} ${batch.startSequenceNumber}..${batch.endSequenceNumber}, ${outcome.delivered} of ${outcome.read} record(s) passed the filters, ${outcome.invocations} invocation(s)`,
        );
      }
    }
  } finally {
    await source.close();
  }
  return { replayed, records, kept };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
