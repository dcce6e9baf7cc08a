/**
 * Schema evolution, the pure part: which index attributes an item record should hold under the current
 * declarations, which it holds that are missing, stale or no longer declared, and how fast a backfill may go.
 * The store computes the wanted attributes (`indexAttributes` in `src/store/item-store.ts`, the same function
 * every write uses); this module compares and paces.
 * @module
 */

/** Storage attributes derived from an item's fields: index keys and the TTL (see the README's key design). */
const DERIVED = /^(?:_ssk|_g1pk|_f[1-9][0-9]*pk|_ttl)$/;

/** Whether `name` is an attribute a backfill may rewrite or remove (never a key, a field or `version`). */
export function isDerivedAttribute(name: string): boolean {
  return DERIVED.test(name);
}

/** What to change on one item record; both empty means it is up to date. */
export interface IndexFix {
  /** Attributes to set, with their new values. */
  readonly set: ReadonlyMap<string, unknown>;
  /** Attributes to remove (no longer declared, or their field has no keyable value). */
  readonly remove: readonly string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/**
 * The changes that bring `record`'s derived attributes to `wanted` (`undefined` values mean "absent").
 * A derived attribute the record holds and `wanted` does not name (a filter field removed, a sort field
 * dropped) is removed; `wanted` entries that are not derived attributes are ignored, so no backfill can
 * touch a client field.
 */
export function indexFix(
  record: Readonly<Record<string, unknown>>,
  wanted: Readonly<Record<string, unknown>>,
): IndexFix {
  const set = new Map<string, unknown>();
  const remove: string[] = [];
  const want = new Map(Object.entries(wanted).filter(([k]) => isDerivedAttribute(k)));
  for (const [name, value] of want) {
    const has = Object.hasOwn(record, name);
    if (value === undefined) {
      if (has) remove.push(name);
    } else if (!has || !sameValue(record[name], value)) set.set(name, value);
  }
  for (const name of Object.keys(record)) if (isDerivedAttribute(name) && !want.has(name)) remove.push(name);
  return { set, remove: remove.sort() };
}

/** Whether a fix changes anything. */
export function needsFix(fix: IndexFix): boolean {
  return fix.set.size > 0 || fix.remove.length > 0;
}

/**
 * Whether a stream `MODIFY` is not a change of the item: its `version` is the same before and after, which
 * only a backfill's rewrite of derived attributes does (every write of the API increments it).
 */
export function isRewriteOnly(
  oldImage: Readonly<Record<string, unknown>> | undefined,
  newImage: Readonly<Record<string, unknown>> | undefined,
): boolean {
  const before = oldImage?.version;
  return typeof before === 'number' && before === newImage?.version;
}

/**
 * How long to wait before the next request so that `consumed` capacity units over `elapsedMs` stay at or
 * under `unitsPerSecond` (0 when already under it).
 */
export function paceDelayMs(consumed: number, elapsedMs: number, unitsPerSecond: number): number {
  if (!(unitsPerSecond > 0) || !(consumed > 0)) return 0;
  return Math.max(0, Math.ceil((consumed / unitsPerSecond) * 1000 - elapsedMs));
}

/** One backfill invocation's request (all optional). */
export interface BackfillRequest {
  /** Where to resume: the `resumeKey` of the previous answer for this segment. */
  readonly startKey?: Readonly<Record<string, unknown>>;
  /** Parallel scan: this worker's segment, 0-based. @default 0 */
  readonly segment?: number;
  /** Parallel scan: the number of segments. @default 1 */
  readonly totalSegments?: number;
  /** Items read per Scan page. @default 100 */
  readonly pageSize?: number;
  /** Target rate in capacity units per second (reads and writes together). @default 50 */
  readonly unitsPerSecond?: number;
  /** Stop and answer after this long, so a caller sees progress and can resume. @default 60 */
  readonly maxSeconds?: number;
}

/** A request a backfill can run, with every default filled in. */
export type BackfillPlan = Required<Omit<BackfillRequest, 'startKey'>> & Pick<BackfillRequest, 'startKey'>;

function intIn(v: unknown, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

/** Checks a backfill request; throws a `RangeError` naming the first bad member. */
export function backfillPlan(input: unknown): BackfillPlan {
  const o = (input ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) throw new RangeError('the event must be a JSON object');
  const startKey = o.startKey ?? undefined;
  if (startKey !== undefined && (typeof startKey !== 'object' || Array.isArray(startKey)))
    throw new RangeError('startKey must be the resumeKey object of a previous answer, or null');
  // Scan accepts up to 1,000,000 segments; more than 1,000 workers would only throttle each other here.
  const totalSegments = intIn(o.totalSegments, 'totalSegments', 1, 1000, 1);
  return {
    ...(startKey ? { startKey: startKey as Record<string, unknown> } : {}),
    totalSegments,
    segment: intIn(o.segment, 'segment', 0, totalSegments - 1, 0),
    pageSize: intIn(o.pageSize, 'pageSize', 1, 1000, 100),
    unitsPerSecond: intIn(o.unitsPerSecond, 'unitsPerSecond', 1, 40_000, 50),
    maxSeconds: intIn(o.maxSeconds, 'maxSeconds', 1, 840, 60),
  };
}

/** One invocation's answer: what the function returns and `npm run backfill` reports. */
export interface BackfillAnswer<Key = Record<string, unknown>> {
  readonly segment: number;
  readonly totalSegments: number;
  readonly scanned: number;
  readonly rewritten: number;
  readonly raced: number;
  readonly undeclared: number;
  readonly capacityUnits: number;
  /** Pass back as `startKey` to continue; `null` when this segment is done. */
  readonly resumeKey: Key | null;
}
