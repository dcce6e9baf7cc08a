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
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The client fields that differ between two versions (top-level fields, old and new values whole). */
export function diffFields(
  before: Readonly<Record<string, unknown>> | undefined,
  after: Readonly<Record<string, unknown>> | undefined,
): FieldChange[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  const out: FieldChange[] = [];
  for (const field of keys) {
    const b = before?.[field];
    const a = after?.[field];
    if (same(a, b)) continue;
    out.push({ field, ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) });
  }
  return out;
}
