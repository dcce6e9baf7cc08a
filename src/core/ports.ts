/**
 * The storage port the domain needs; `src/store/` adapts DynamoDB to it.
 * @module
 */
import type { HistoryEntry } from './history';
import type { ResourceShape } from './resource';

/** Who is asking, as the authorizer established it. */
export interface Caller {
  readonly tenant: string;
  readonly principal: string;
}

/** An item as stored: its client fields plus what the server owns. */
export interface StoredItem {
  readonly id: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  readonly createdBy: string;
  readonly updatedBy: string;
}

/** The response a create with an `Idempotency-Key` gave, kept so that a retry gets it again. */
export interface IdempotencyRecord {
  readonly key: string;
  /** Hash of the resource and the canonical request body. */
  readonly fingerprint: string;
  readonly itemId: string;
  /** The original 201 body. */
  readonly body: string;
  readonly version: number;
  /** Epoch seconds after which the key may be reused. */
  readonly expiresAt: number;
}

/** A page request. `after` is the opaque position the previous page ended at. */
export interface ListQuery {
  readonly caller: Caller;
  readonly resource: ResourceShape;
  /** Sort by `id` (creation order) or by the resource's `sortBy` field. */
  readonly sort: 'id' | 'field';
  readonly descending: boolean;
  readonly filter?: { readonly field: string; readonly value: string | number | boolean };
  readonly limit: number;
  readonly after?: Readonly<Record<string, unknown>>;
}

export interface Page {
  readonly items: readonly StoredItem[];
  /** Where each item is, as an `after` that continues right after it: a page cut short resumes there. */
  readonly positions: readonly Readonly<Record<string, unknown>>[];
  readonly next?: Readonly<Record<string, unknown>>;
}

/** A conditional write found the item absent. */
export class ItemMissing extends Error {
  override readonly name = 'ItemMissing';
}

/** A conditional write found another version than expected; `current` is the item as it is now. */
export class VersionMismatch extends Error {
  override readonly name = 'VersionMismatch';
  constructor(readonly current: StoredItem) {
    super(`the item is at version ${current.version}`);
  }
}

/** The idempotency key is already recorded (possibly by a concurrent request). */
export class IdempotencyKeyTaken extends Error {
  override readonly name = 'IdempotencyKeyTaken';
}

/** A transaction lost a race with a concurrent one; retrying may succeed. */
export class WriteContention extends Error {
  override readonly name = 'WriteContention';
}

/** The version a conditional write requires: one, or any of a list (at most 100, DynamoDB's `IN`). */
export type ExpectedVersion = number | readonly number[];

export interface ItemRepo {
  get(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    opts?: { consistent?: boolean },
  ): Promise<StoredItem | undefined>;
  /** Creates a new item (never overwrites); with `idempotency`, records it in the same transaction. */
  create(
    caller: Caller,
    resource: ResourceShape,
    item: StoredItem,
    idempotency?: IdempotencyRecord,
  ): Promise<void>;
  getIdempotency(caller: Caller, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Replaces the client fields of an existing item, bumping its version; with `expectedVersion`, only if the
   * item is at that version (or one of those versions). Never creates. Throws {@link ItemMissing},
   * {@link VersionMismatch}, or {@link WriteContention} when a concurrent transaction holds the item.
   */
  replace(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    data: Readonly<Record<string, unknown>>,
    now: string,
    expectedVersion?: ExpectedVersion,
  ): Promise<StoredItem>;
  /**
   * Deletes an item; with `expectedVersion`, only at that version (or one of those). Records who deleted it,
   * in the same transaction, for the item's history. Throws {@link ItemMissing}, {@link VersionMismatch} or
   * {@link WriteContention}.
   */
  delete(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    now: string,
    expectedVersion?: ExpectedVersion,
  ): Promise<void>;
  list(q: ListQuery): Promise<Page>;
}

/** An item's history, newest first. */
export interface HistoryPage {
  readonly entries: readonly HistoryEntry[];
  /** Where each entry is, as an `after` that continues right after it. */
  readonly positions: readonly Readonly<Record<string, unknown>>[];
  readonly next?: Readonly<Record<string, unknown>>;
}

/** Where the change-history consumer writes, and the history route reads. */
export interface HistoryRepo {
  /** Writes an entry once: a replay of the same change writes nothing. Returns whether it wrote. */
  record(tenant: string, resource: string, id: string, entry: HistoryEntry): Promise<boolean>;
  /** Who deleted the item and when, as the delete recorded it. */
  deletionOf(
    tenant: string,
    resource: string,
    id: string,
  ): Promise<{ principal: string; at: string } | undefined>;
  list(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    limit: number,
    after?: Readonly<Record<string, unknown>>,
  ): Promise<HistoryPage>;
}
