/**
 * The operations of every resource: HTTP method, path shape, handler file and the DynamoDB actions each
 * one needs. The stack derives its routes, functions and IAM policies from this table, so there is no
 * second list anywhere.
 * @module
 */

export type OperationName = 'create' | 'get' | 'list' | 'replace' | 'patch' | 'delete' | 'history';

export interface Operation {
  readonly name: OperationName;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `collection` is `/{resource}`, `item` is `/{resource}/{id}`, `history` is `/{resource}/{id}/history`. */
  readonly path: 'collection' | 'item' | 'history';
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  /** The DynamoDB actions it needs on the table (and its indexes, for `Query`); nothing more. */
  readonly actions: readonly string[];
  /** Whether it reads `CURSOR_SECRET` (it signs or verifies pagination cursors). */
  readonly usesCursorSecret: boolean;
}

export const operations: readonly Operation[] = [
  {
    name: 'create',
    method: 'POST',
    path: 'collection',
    entry: 'src/handlers/create.ts',
    // TransactWriteItems is authorised per contained action: PutItem for the item and its idempotency record.
    actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
    usesCursorSecret: false,
  },
  {
    name: 'get',
    method: 'GET',
    path: 'item',
    entry: 'src/handlers/get.ts',
    actions: ['dynamodb:GetItem'],
    usesCursorSecret: false,
  },
  {
    name: 'list',
    method: 'GET',
    path: 'collection',
    entry: 'src/handlers/list.ts',
    actions: ['dynamodb:Query'],
    usesCursorSecret: true,
  },
  {
    name: 'replace',
    method: 'PUT',
    path: 'item',
    entry: 'src/handlers/replace.ts',
    // One conditional UpdateItem; GetItem only to name the current ETag when If-Match holds no version.
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    usesCursorSecret: false,
  },
  {
    name: 'patch',
    method: 'PATCH',
    path: 'item',
    entry: 'src/handlers/patch.ts',
    // A consistent read, the merge, then an UpdateItem conditional on the version read.
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    usesCursorSecret: false,
  },
  {
    name: 'delete',
    method: 'DELETE',
    path: 'item',
    entry: 'src/handlers/delete.ts',
    // One transaction: the conditional delete (its ALL_OLD on failure tells 404 from 412 without a read) and
    // the put of the `deleted-by` record the history consumer reads. GetItem for `If-None-Match`, which is
    // judged on the current item (read strongly consistently before the delete).
    actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:GetItem'],
    usesCursorSecret: false,
  },
  {
    name: 'history',
    method: 'GET',
    path: 'history',
    entry: 'src/handlers/history.ts',
    actions: ['dynamodb:Query'],
    usesCursorSecret: true,
  },
];

/** The change-history consumer (DynamoDB stream -> history entries) and what it needs. */
export const streamConsumer = {
  entry: 'src/handlers/history-consumer.ts',
  // PutItem for entries (conditional, so replays write nothing), GetItem for the `deleted-by` record.
  actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
} as const;

/** The JWT authorizer's entry; it needs no table access. */
export const authorizerEntry = 'src/handlers/authorizer.ts';

/*
 * Environment variables the functions read (see `src/handlers/config.ts`):
 * - `TABLE_NAME` (all CRUD functions), `CURSOR_SECRET` (those with `usesCursorSecret`), `ALLOWED_ORIGINS`,
 * - `MAX_BODY_BYTES` (optional, default 102400), `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_LOG_LEVEL`,
 * - authorizer: `JWT_ISSUER`, `JWT_AUDIENCE`, `JWKS_URL`, `TENANT_CLAIM` (default `tenant`).
 */
