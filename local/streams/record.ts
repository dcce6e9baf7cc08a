/**
 * One DynamoDB Streams record, as the SDK's `GetRecords` gives it, turned into the record Lambda puts in
 * `event.Records` (pure).
 *
 * - Attribute values in DynamoDB JSON, binary as base64 (the SDK hands `B`/`BS` over as bytes).
 * - `ApproximateCreationDateTime` in epoch seconds (a number): the SDK gives a `Date`, other engines a number in
 *   seconds or milliseconds; all are normalized. DynamoDB Local rounds it down to the minute; see
 *   {@link approximateCreationSeconds}.
 * - `awsRegion` is the twin's region (DynamoDB Local says `ddblocal`), `eventSourceARN` the ARN the template
 *   resolves to, `eventSource` is `aws:dynamodb`, `userIdentity` (TTL deletes) uses Lambda's lower-case keys.
 * @module
 */
import type { StreamRecord } from './types';

/** A `GetRecords` record as the SDK types it (loosely: only what we read). */
export interface SdkStreamRecord {
  readonly eventID?: string;
  readonly eventName?: string;
  readonly eventVersion?: string;
  readonly eventSource?: string;
  readonly awsRegion?: string;
  readonly dynamodb?: {
    readonly ApproximateCreationDateTime?: Date | number | string;
    readonly Keys?: Record<string, unknown>;
    readonly NewImage?: Record<string, unknown>;
    readonly OldImage?: Record<string, unknown>;
    readonly SequenceNumber?: string;
    readonly SizeBytes?: number;
    readonly StreamViewType?: string;
  };
  readonly userIdentity?: { readonly PrincipalId?: string; readonly Type?: string };
}

/** Where and when a record was read: what the conversion cannot know from the record itself. */
export interface RecordContext {
  readonly region: string;
  readonly eventSourceArn: string;
  /** Epoch milliseconds at which the poller read the record. */
  readonly observedAtMs: number;
  /**
   * The read came right after a read that found nothing (the poller was caught up), so the record was written
   * less than a poll interval before `observedAtMs`.
   */
  readonly live: boolean;
}

function base64(bytes: unknown): string {
  if (bytes instanceof Uint8Array) return Buffer.from(bytes).toString('base64');
  return String(bytes);
}

/** An SDK attribute value (bytes for binary) in DynamoDB JSON (base64 for binary), recursively. */
export function toJsonAttributeValue(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const av = v as Record<string, unknown>;
  if ('B' in av) return { B: base64(av['B']) };
  if ('BS' in av) return { BS: (av['BS'] as unknown[]).map(base64) };
  if ('M' in av) return { M: toJsonImage(av['M'] as Record<string, unknown>) };
  if ('L' in av) return { L: (av['L'] as unknown[]).map(toJsonAttributeValue) };
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, x] of Object.entries(av)) if (k !== '$unknown') out[k] = x;
  return out;
}

/** A whole image (or key map) in DynamoDB JSON. */
export function toJsonImage(image: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(image)) out[k] = toJsonAttributeValue(v);
  return out;
}

/** Epoch seconds from a `Date`, or a number/string in seconds or milliseconds; `undefined` when unreadable. */
export function epochSeconds(v: unknown): number | undefined {
  let s: number;
  if (v instanceof Date) s = v.getTime() / 1000;
  else if (typeof v === 'number') s = v;
  else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) s = Number(v);
  else return undefined;
  if (!Number.isFinite(s)) return undefined;
  // Seconds stay below 1e11 until the year 5138; anything larger was milliseconds read as seconds.
  while (s > 1e11) s /= 1000;
  return Math.floor(s);
}

/**
 * The record's creation time in epoch seconds, rounded down to the second as DynamoDB Streams documents it.
 * DynamoDB Local rounds down to the minute instead; when the engine's value sits on a minute boundary and the
 * record was read live (a poll interval after it was written) within that minute, the read time (rounded down
 * to the second) is the better estimate. Records read later (a backlog) keep the engine's value.
 */
export function approximateCreationSeconds(
  engineValue: unknown,
  observedAtMs: number,
  live: boolean,
): number {
  const observed = Math.floor(observedAtMs / 1000);
  const engine = epochSeconds(engineValue);
  if (engine === undefined) return observed;
  if (live && engine % 60 === 0 && observed >= engine && observed < engine + 60) return observed;
  return engine;
}

/** Converts one SDK record into the record Lambda delivers. */
export function toLambdaRecord(r: SdkStreamRecord, ctx: RecordContext): StreamRecord {
  const d = r.dynamodb ?? {};
  const dynamodb: StreamRecord['dynamodb'] = {
    ApproximateCreationDateTime: approximateCreationSeconds(
      d.ApproximateCreationDateTime,
      ctx.observedAtMs,
      ctx.live,
    ),
    Keys: toJsonImage(d.Keys ?? {}),
    ...(d.NewImage ? { NewImage: toJsonImage(d.NewImage) } : {}),
    ...(d.OldImage ? { OldImage: toJsonImage(d.OldImage) } : {}),
    SequenceNumber: String(d.SequenceNumber ?? ''),
    SizeBytes: Number(d.SizeBytes ?? 0),
    StreamViewType: String(d.StreamViewType ?? ''),
  };
  const who = r.userIdentity;
  return {
    eventID: String(r.eventID ?? ''),
    eventName: (r.eventName ?? 'MODIFY') as StreamRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: ctx.region,
    dynamodb,
    eventSourceARN: ctx.eventSourceArn,
    ...(who?.Type || who?.PrincipalId
      ? { userIdentity: { type: String(who.Type ?? ''), principalId: String(who.PrincipalId ?? '') } }
      : {}),
  };
}
