/**
 * The operations on items, independent of API Gateway and of DynamoDB: each takes the caller, the resource
 * and the parsed request, talks to an {@link ItemRepo}, and returns an {@link HttpReply}.
 * @module
 */
import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor } from './cursor';
import { BadRequest, IdempotencyKeyReused, NotFound, PreconditionFailed, ValidationFailed } from './errors';
import { etagOf, ifMatchHolds, noneMatch, parseTagCondition } from './etag';
import { type HttpReply, type HttpRequest, readJsonBody, single } from './http';
import { isId, uuidv7 } from './ids';
import { pageReply } from './pages';
import {
  type Caller,
  type HistoryRepo,
  IdempotencyKeyTaken,
  type IdempotencyRecord,
  type ItemRepo,
  type ListQuery,
  type StoredItem,
  WriteContention,
} from './ports';
import type { Resource, ResourceShape } from './resource';
import { type Validatable, validate, withoutServerFields } from './validation';

/** Settings the operations need from the deployment. */
export interface ItemSettings {
  readonly maxBodyBytes: number;
  readonly cursorSecret: string;
  /** How long an idempotency key is remembered. @default 86400 */
  readonly idempotencyTtlSeconds?: number;
  /** How long a write that keeps losing races for its item retries before answering 503. @default 2000 */
  readonly writeRetryBudgetMs?: number;
}

/**
 * Everything one operation call needs. Writes validate, so they take a shape with its plan, or the declared
 * {@link Resource} (its schema) where there is no plan; reads need only its {@link ResourceShape}.
 */
export interface OperationInput<R extends ResourceShape = ResourceShape & Validatable> {
  readonly repo: ItemRepo;
  readonly history: HistoryRepo;
  readonly caller: Caller;
  readonly resource: R;
  readonly request: HttpRequest;
  readonly settings: ItemSettings;
  readonly now: Date;
}

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
export const JSON_TYPES = ['application/json'];
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** How often a create that lost a race for its idempotency key is retried. */
const RETRIES = 5;

/** The public representation of an item. */
export function represent(item: StoredItem): Record<string, unknown> {
  return {
    id: item.id,
    ...item.data,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    version: item.version,
    createdBy: item.createdBy,
    updatedBy: item.updatedBy,
  };
}

/**
 * Where a created item lives: the collection's path as the client sent it (behind a stage, `/prod/items`; behind
 * a custom domain's base path mapping, `/base/items`) plus the id, so that it resolves against the request URL.
 * Leading slashes collapse to one: `//host/...` would be a network-path reference to another host.
 */
function location(resource: ResourceShape, request: HttpRequest, id: string): string {
  const path = request.path?.replace(/^\/+/, '/').replace(/\/+$/, '');
  return `${path || `/${resource.name}`}/${id}`;
}

/** A 200/201 with the item and its ETag. */
export function itemReply(status: number, item: StoredItem): HttpReply {
  return { status, headers: { etag: etagOf(item.version) }, body: represent(item) };
}

/** The item id of the path; a 400 when it is not one. */
export function requireId(req: HttpRequest): string {
  const id = req.pathId;
  if (!id || !isId(id))
    throw new BadRequest(`"${id ?? ''}" is not an item id: ids are UUIDs such as 0190b6a2-...`);
  return id;
}

/** Whether the item's TTL field says it has expired (DynamoDB deletes it lazily; reads hide it at once). */
export function expiredAt(resource: ResourceShape, item: StoredItem, now: Date): boolean {
  if (!resource.ttl) return false;
  const v = item.data[resource.ttl];
  const t = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isFinite(t) && t <= now.getTime();
}

/** Stable JSON: object keys sorted, so that two equal bodies hash alike however their keys are ordered. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** `POST /{resource}`: 201 with Location and ETag; with `Idempotency-Key`, at most once. */
export async function createItem(input: OperationInput): Promise<HttpReply> {
  const { repo, caller, resource, request, settings, now } = input;
  const key = request.headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationFailed([
      { pointer: '/headers/idempotency-key', message: 'must be 1-255 visible ASCII characters' },
    ]);
  }
  const body = readJsonBody(request, JSON_TYPES, settings.maxBodyBytes);
  const data = validate(resource, body);
  const at = now.toISOString();
  const item: StoredItem = {
    id: uuidv7(now.getTime()),
    data,
    createdAt: at,
    updatedAt: at,
    version: 1,
    createdBy: caller.principal,
    updatedBy: caller.principal,
  };
  // An item created already expired would be hidden at once: its 201 and Location would name nothing.
  if (expiredAt(resource, item, now)) {
    throw new ValidationFailed([
      { pointer: `/${resource.ttl}`, message: 'is in the past: the item would expire as it is created' },
    ]);
  }
  const created = (): HttpReply => ({
    status: 201,
    headers: { etag: etagOf(item.version), location: location(resource, request, item.id) },
    body: represent(item),
  });
  if (key === undefined) {
    await repo.create(caller, resource, item);
    return created();
  }
  const fingerprint = createHash('sha256')
    .update(`${resource.name}\n${canonical(withoutServerFields(body as Record<string, unknown>))}`)
    .digest('base64url');
  const record: IdempotencyRecord = {
    key,
    fingerprint,
    itemId: item.id,
    body: JSON.stringify(represent(item)),
    version: item.version,
    expiresAt: Math.floor(now.getTime() / 1000) + (settings.idempotencyTtlSeconds ?? 86_400),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await repo.create(caller, resource, item, record);
      return created();
    } catch (e) {
      if (!(e instanceof IdempotencyKeyTaken || e instanceof WriteContention) || attempt >= RETRIES) throw e;
    }
    // Someone holds the key, or is writing it right now: a consistent read tells which.
    const seen = await repo.getIdempotency(caller, key);
    if (seen && seen.expiresAt > now.getTime() / 1000) {
      if (seen.fingerprint !== fingerprint) {
        throw new IdempotencyKeyReused('this Idempotency-Key was already used with a different request');
      }
      return {
        status: 201,
        headers: {
          etag: etagOf(seen.version),
          location: location(resource, request, seen.itemId),
          'idempotent-replayed': 'true',
        },
        body: JSON.parse(seen.body),
      };
    }
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
  }
}

/**
 * `GET /{resource}/{id}`: 200 with ETag; 304 when `If-None-Match` matches (weak comparison, `*` matches any
 * item); 412 when an `If-Match` does not (strong comparison).
 */
export async function getItem(input: OperationInput<ResourceShape>): Promise<HttpReply> {
  const { repo, caller, resource, request, now } = input;
  const id = requireId(request);
  const im = parseTagCondition(request.headers['if-match'], 'If-Match');
  const inm = parseTagCondition(request.headers['if-none-match'], 'If-None-Match');
  const item = await repo.get(caller, resource, id);
  if (!item || expiredAt(resource, item, now)) throw new NotFound(`${resource.name}/${id} does not exist`);
  if (!ifMatchHolds(im, item.version)) {
    throw new PreconditionFailed(`If-Match does not match the current ETag ${etagOf(item.version)}`);
  }
  if (!noneMatch(inm, item.version)) return { status: 304, headers: { etag: etagOf(item.version) } };
  return itemReply(200, item);
}

function parseFilterValue(resource: ResourceShape, field: string, raw: string): string | number | boolean {
  const t = resource.keyTypes[field];
  if (t === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new ValidationFailed([{ pointer: `/query/${field}`, message: 'must be a number' }]);
    }
    return n;
  }
  if (t === 'boolean') {
    if (raw !== 'true' && raw !== 'false') {
      throw new ValidationFailed([{ pointer: `/query/${field}`, message: 'must be true or false' }]);
    }
    return raw === 'true';
  }
  // An enum is a string field whose values are known: any other value could never match, and is a typo.
  // Own members only: a declared filter field may be named like an Object.prototype member (`valueOf`).
  const values = resource.filterValues;
  const allowed = values && Object.hasOwn(values, field) ? values[field] : undefined;
  if (allowed && !allowed.some((v) => String(v) === raw)) {
    throw new ValidationFailed([
      {
        pointer: `/query/${field}`,
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
      },
    ]);
  }
  return raw;
}

/** `GET /{resource}`: one page, always a Query on the table or an index. */
export async function listItems(input: OperationInput<ResourceShape>): Promise<HttpReply> {
  const { repo, caller, resource, request, settings, now } = input;
  const known = new Set(['limit', 'cursor', 'sort', ...resource.filterBy]);
  for (const name of Object.keys(request.query)) {
    if (!known.has(name)) {
      const filters = resource.filterBy.length ? `; filters: ${resource.filterBy.join(', ')}` : '';
      throw new ValidationFailed([
        { pointer: `/query/${name}`, message: `is not a known parameter (limit, cursor, sort${filters})` },
      ]);
    }
  }
  const rawLimit = single(request, 'limit');
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > MAX_LIMIT) {
      throw new ValidationFailed([
        { pointer: '/query/limit', message: `must be an integer from 1 to ${MAX_LIMIT}` },
      ]);
    }
  }
  const filters = resource.filterBy.filter((f) => request.query[f] !== undefined);
  if (filters.length > 1) {
    throw new ValidationFailed([
      { pointer: `/query/${filters[1]}`, message: 'only one filter can be applied at a time' },
    ]);
  }
  const filterField = filters[0];
  const filter = filterField
    ? { field: filterField, value: parseFilterValue(resource, filterField, single(request, filterField)!) }
    : undefined;
  const rawSort = single(request, 'sort');
  const sortable = ['id', '-id', ...(resource.sortBy ? [resource.sortBy, `-${resource.sortBy}`] : [])];
  // Filter indexes are ordered by the sort field (or by id when the resource has none).
  const defaultSort = filter && resource.sortBy ? resource.sortBy : 'id';
  const sortParam = rawSort ?? defaultSort;
  if (!sortable.includes(sortParam)) {
    throw new ValidationFailed([
      { pointer: '/query/sort', message: `must be one of ${sortable.join(', ')}` },
    ]);
  }
  const descending = sortParam.startsWith('-');
  const sort = sortParam.replace(/^-/, '') === 'id' ? 'id' : 'field';
  if (filter && resource.sortBy && sort === 'id') {
    throw new ValidationFailed([
      {
        pointer: '/query/sort',
        message: `with a filter, sort must be ${resource.sortBy} or -${resource.sortBy}`,
      },
    ]);
  }
  const binding = [
    caller.tenant,
    resource.name,
    sort,
    descending,
    filter?.field ?? '',
    String(filter?.value ?? ''),
  ].join('|');
  const cursor = single(request, 'cursor');
  const after = cursor === undefined ? undefined : decodeCursor(cursor, settings.cursorSecret, binding);
  const q: ListQuery = {
    caller,
    resource,
    sort,
    descending,
    limit,
    ...(filter ? { filter } : {}),
    ...(after ? { after } : {}),
  };
  const page = await repo.list(q);
  const items: Record<string, unknown>[] = [];
  const positions: Readonly<Record<string, unknown>>[] = [];
  page.items.forEach((item, i) => {
    if (expiredAt(resource, item, now)) return;
    items.push(represent(item));
    positions.push(page.positions[i]!);
  });
  const next = page.next ? encodeCursor(page.next, settings.cursorSecret, binding) : null;
  return pageReply('items', items, next, (i) => encodeCursor(positions[i]!, settings.cursorSecret, binding));
}

/** `GET /{resource}/{id}/history`: the item's changes, newest first, paginated like lists. */
export async function listHistory(input: OperationInput<ResourceShape>): Promise<HttpReply> {
  const { history, caller, resource, request, settings } = input;
  const id = requireId(request);
  for (const name of Object.keys(request.query)) {
    if (name !== 'limit' && name !== 'cursor') {
      throw new ValidationFailed([
        { pointer: `/query/${name}`, message: 'is not a known parameter (limit, cursor)' },
      ]);
    }
  }
  const rawLimit = single(request, 'limit');
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit);
  if (rawLimit !== undefined && (!/^\d+$/.test(rawLimit) || limit < 1 || limit > MAX_LIMIT)) {
    throw new ValidationFailed([
      { pointer: '/query/limit', message: `must be an integer from 1 to ${MAX_LIMIT}` },
    ]);
  }
  const binding = [caller.tenant, resource.name, id, 'history'].join('|');
  const cursor = single(request, 'cursor');
  const after = cursor === undefined ? undefined : decodeCursor(cursor, settings.cursorSecret, binding);
  const page = await history.list(caller, resource, id, limit, after);
  // An item with no history never existed (for this tenant): the same 404 a get gives.
  if (page.entries.length === 0 && !after) throw new NotFound(`${resource.name}/${id} has no history`);
  const next = page.next ? encodeCursor(page.next, settings.cursorSecret, binding) : null;
  return pageReply('entries', page.entries, next, (i) =>
    encodeCursor(page.positions[i]!, settings.cursorSecret, binding),
  );
}
