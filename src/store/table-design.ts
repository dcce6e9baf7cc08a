/**
 * The single-table key design, derived from the resource declarations. Pure: the stack (indexes), the store
 * (keys) and the twin all read it from here.
 *
 * | attribute | value                                   | purpose                                   |
 * |-----------|-----------------------------------------|-------------------------------------------|
 * | `_pk`     | `T#{tenant}#R#{resource}`               | partition: one tenant's items of one kind |
 * | `_sk`     | `{id}` (UUIDv7, so creation order)      | get by id; default list order             |
 * | `_ssk`    | `{sortable(sortBy)}\u0001{id}` or `{id}` | sort key of every secondary index         |
 * | `_g1pk`   | `_pk`, only on resources with `sortBy`  | index `gsi1`: list sorted by `sortBy`     |
 * | `_fNpk`   | `{_pk}#{field}={value}`                 | index `gsiN+1`: equality filter on the Nth filter field, sorted like `gsi1` |
 * | `_ttl`    | epoch seconds                           | DynamoDB TTL                              |
 * | `_type`   | `item`, `idem`, ...                     | what the record is (stream filters)       |
 *
 * A tenant can only ever reach its own partition: every key starts with `T#{tenant}#`, and the tenant comes
 * from the authorizer, never from the request.
 * @module
 */
import type { ResourceShape } from '../core/resource';

export const PK = '_pk';
export const SK = '_sk';
export const SORT_SK = '_ssk';
export const SORT_INDEX = 'gsi1';
export const SORT_INDEX_PK = '_g1pk';
export const TTL_ATTRIBUTE = '_ttl';
export const TYPE_ATTRIBUTE = '_type';
/**
 * The token of the write that produced the item as it is (a new one per create, PUT or PATCH): a retry of a
 * write whose answer was lost finds its own token there, and knows the write was applied.
 */
export const WRITE_TOKEN = '_wt';

/** A secondary index of the table. */
export interface IndexDesign {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/** The index that serves equality filters on the resource's `n`th filter field (0-based). */
export function filterIndex(n: number): IndexDesign {
  return { name: `gsi${n + 2}`, partitionKey: `_f${n + 1}pk`, sortKey: SORT_SK };
}

/** Every secondary index the table needs for these resources. */
export function indexesFor(resources: readonly ResourceShape[]): IndexDesign[] {
  const out: IndexDesign[] = [];
  if (resources.some((r) => r.sortBy))
    out.push({ name: SORT_INDEX, partitionKey: SORT_INDEX_PK, sortKey: SORT_SK });
  const filters = Math.max(0, ...resources.map((r) => r.filterBy.length));
  for (let n = 0; n < filters; n++) out.push(filterIndex(n));
  return out;
}

/** Tenant names are part of keys: keep them to a safe alphabet so that no tenant can spell another's key. */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** The partition of one tenant's items of one resource. */
export function partitionKey(tenant: string, resource: string): string {
  return `T#${tenant}#R#${resource}`;
}

/** The partition of one tenant's idempotency records. */
export function idempotencyPartition(tenant: string): string {
  return `T#${tenant}#IDEM`;
}

/** The partition of one item's history entries (kept after the item is deleted). */
export function historyPartition(tenant: string, resource: string, id: string): string {
  return `T#${tenant}#H#${resource}#${id}`;
}

/** History entries sort by the version they produced: `v` and 12 digits. */
export function historySortKey(sequence: number): string {
  return `v${String(sequence).padStart(12, '0')}`;
}

/** Sort key, in an item's history partition, of the record of who deleted it (written with the delete). */
export const DELETION_MARKER = 'deleted-by';

/** The index partition for `field = value` within a tenant's resource. */
export function filterPartitionKey(pk: string, field: string, value: string | number | boolean): string {
  return `${pk}#${field}=${typeof value === 'number' ? sortableNumber(value) : String(value)}`;
}

/**
 * A string whose byte order is the numeric order of `n`: the IEEE 754 bits with the sign bit flipped for
 * non-negative numbers and every bit flipped for negative ones, as 16 hex digits.
 */
export function sortableNumber(n: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n === 0 ? 0 : n);
  let hi = view.getUint32(0);
  let lo = view.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Separates the sort value from the id in `_ssk`; lower than any printable character so prefixes sort first. */
export const SORT_SEPARATOR = '\u0001';

/** `_ssk` for an item: its sort value (if the resource has one) then its id, so ties break by creation. */
export function sortKeyFor(resource: ResourceShape, data: Record<string, unknown>, id: string): string {
  if (!resource.sortBy) return id;
  const v = data[resource.sortBy];
  let enc = '';
  if (typeof v === 'number') enc = sortableNumber(v);
  else if (typeof v === 'string') enc = v;
  else if (typeof v === 'boolean') enc = v ? '1' : '0';
  return `${enc}${SORT_SEPARATOR}${id}`;
}
