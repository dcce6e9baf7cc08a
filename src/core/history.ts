/**
 * Item history: what changed between two versions of an item, as a stream record shows them.
 * @module
 */

/** One changed field: absent values are `undefined` (omitted in JSON). */
export interface FieldChange {
  readonly field: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export type HistoryOperation = 'create' | 'update' | 'delete';

/** One entry of an item's history. */
export interface HistoryEntry {
  readonly at: string;
  readonly operation: HistoryOperation;
  readonly principal: string;
  readonly tenant: string;
  readonly versionBefore: number | null;
  readonly versionAfter: number | null;
  readonly changes: readonly FieldChange[];
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

function own(obj: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** The client fields that differ between two versions (top-level fields, old and new values whole). */
export function diffFields(
  before: Readonly<Record<string, unknown>> | undefined,
  after: Readonly<Record<string, unknown>> | undefined,
): FieldChange[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  const out: FieldChange[] = [];
  for (const field of keys) {
    // Own members only: reading "__proto__" off an object without that member would yield Object.prototype.
    const b = own(before, field);
    const a = own(after, field);
    if (same(a, b)) continue;
    out.push({ field, ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) });
  }
  return out;
}

/** A change as a stream record carries it, images already unmarshalled to plain objects. */
export interface ItemChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly oldImage?: Readonly<Record<string, unknown>>;
  readonly newImage?: Readonly<Record<string, unknown>>;
  /** When the stream saw the change (ISO 8601). */
  readonly at: string;
  /** For REMOVE: who deleted the item, if the delete recorded it. */
  readonly deleter?: string;
}

/** Server-owned and storage fields are not "changes" a user made. */
function clientFields(
  image: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> | undefined {
  if (!image) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(image)) {
    if (
      k.startsWith('_') ||
      ['id', 'createdAt', 'updatedAt', 'version', 'createdBy', 'updatedBy'].includes(k)
    )
      continue;
    out[k] = v;
  }
  return out;
}

const OPERATION = { INSERT: 'create', MODIFY: 'update', REMOVE: 'delete' } as const;

/** The history entry for one change; throws if the images are not those of an item. */
export function entryFor(change: ItemChange, tenant: string): HistoryEntry {
  const { oldImage, newImage } = change;
  const versionOf = (img: Readonly<Record<string, unknown>> | undefined) => {
    if (!img) return null;
    const v = img.version;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new TypeError('image has no valid version');
    return v;
  };
  const versionBefore = versionOf(oldImage);
  const versionAfter = versionOf(newImage);
  const principal =
    change.eventName === 'REMOVE'
      ? (change.deleter ?? String(oldImage?.updatedBy ?? 'unknown'))
      : String(newImage?.updatedBy ?? 'unknown');
  return {
    at: change.at,
    operation: OPERATION[change.eventName],
    principal,
    tenant,
    versionBefore,
    versionAfter,
    changes: diffFields(clientFields(oldImage), clientFields(newImage)),
  };
}

/** The position of an entry in the item's history: the version it produced (a delete: one past the last). */
export function sequenceOf(entry: HistoryEntry): number {
  return entry.versionAfter ?? (entry.versionBefore ?? 0) + 1;
}
