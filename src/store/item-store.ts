/**
 * The {@link ItemRepo} port on DynamoDB, following the key design in `table-design.ts`. Translates
 * DynamoDB's errors into the domain's: a failed condition becomes {@link ItemMissing} or
 * {@link VersionMismatch}, throttling and outages become {@link Unavailable} (503 with Retry-After).
 *
 * A write whose answer was lost is retried by the client ({@link DynamoDB}); its retry must not turn the
 * write's own success into an error. Transactions (a keyed create, a delete) carry one `ClientRequestToken`
 * for all attempts, so DynamoDB answers the retry as it answered the first. Single-item writes (a create,
 * PUT, PATCH) store a token of their own in the item ({@link WRITE_TOKEN}), and the conditions of PUT and
 * PATCH exclude it: the retry of an applied attempt then fails its condition rather than bumping the version
 * a second time, and if the item it gets back on that failure still carries its token, the write succeeded.
 * @module
 */
import { BadRequest, Unavailable } from '../core/errors';
import { uuidv7 } from '../core/ids';
import {
  type Caller,
  type ExpectedVersion,
  IdempotencyKeyTaken,
  type IdempotencyRecord,
  ItemMissing,
  type ItemRepo,
  type ListQuery,
  type Page,
  type StoredItem,
  VersionMismatch,
  WriteContention,
} from '../core/ports';
import type { ResourceShape } from '../core/resource';
import { type DynamoDB, DynamoDBError } from './dynamodb';
import { type AttributeMap, marshall, toAttr, unmarshall } from './marshal';
import {
  DELETION_MARKER,
  filterIndex,
  filterPartitionKey,
  historyPartition,
  idempotencyPartition,
  PK,
  partitionKey,
  SK,
  SORT_INDEX,
  SORT_INDEX_PK,
  SORT_SK,
  sortKeyFor,
  TTL_ATTRIBUTE,
  TYPE_ATTRIBUTE,
  WRITE_TOKEN,
} from './table-design';

const SERVER = ['id', 'createdAt', 'updatedAt', 'version', 'createdBy', 'updatedBy'];

/** Epoch seconds for a TTL field value (ISO 8601 or epoch seconds); undefined if absent or unreadable. */
function ttlSeconds(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v);
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return Math.floor(t / 1000);
  }
  return undefined;
}

/** The index attributes an item's fields imply; `undefined` means "remove". */
export function indexAttributes(
  resource: ResourceShape,
  pk: string,
  data: Readonly<Record<string, unknown>>,
  id: string,
) {
  const out: Record<string, unknown> = { [SORT_SK]: sortKeyFor(resource, data, id) };
  if (resource.sortBy) out[SORT_INDEX_PK] = pk;
  resource.filterBy.forEach((field, n) => {
    const v = data[field];
    const keyable = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    out[filterIndex(n).partitionKey] = keyable ? filterPartitionKey(pk, field, v) : undefined;
  });
  out[TTL_ATTRIBUTE] = resource.ttl ? ttlSeconds(data[resource.ttl]) : undefined;
  return out;
}

function toStored(a: AttributeMap): StoredItem {
  const o = unmarshall(a);
  const data: Record<string, unknown> = {};
  for (const k in o) if (!k.startsWith('_') && !SERVER.includes(k)) data[k] = o[k];
  return {
    id: o.id as string,
    data,
    createdAt: o.createdAt as string,
    updatedAt: o.updatedAt as string,
    version: o.version as number,
    createdBy: o.createdBy as string,
    updatedBy: o.updatedBy as string,
  };
}

/** Engine trouble a client can retry becomes a 503; anything else stays an internal error. */
export function translate(e: unknown): never {
  if (e instanceof DynamoDBError && e.retryable) {
    throw new Unavailable('the database is busy or unreachable; retry shortly', 1, { cause: e });
  }
  throw e;
}

/**
 * The version part of a write's condition (`#v` names `version`), its values added to `values`: one version
 * (`If-Match: "3"`), or any of several (`If-Match: "3", "4"`), as one `IN`.
 */
function versionCondition(expected: ExpectedVersion | undefined, values: AttributeMap): string {
  if (expected === undefined) return '';
  const versions = typeof expected === 'number' ? [expected] : expected;
  // No version at all can match: -1 is one no item has, so the write fails as a mismatch (or as missing).
  const list = versions.length ? versions : [-1];
  list.forEach((v, i) => {
    values[`:expected${i}`] = { N: String(v) };
  });
  return list.length === 1
    ? ' AND #v = :expected0'
    : ` AND #v IN (${list.map((_, i) => `:expected${i}`).join(', ')})`;
}

function conditionFailed(e: unknown): e is DynamoDBError {
  return e instanceof DynamoDBError && e.code === 'ConditionalCheckFailedException';
}

/**
 * Whether a write's condition failed only because an earlier attempt of the same call, whose answer was lost,
 * was applied: the item (`ALL_OLD` on the failure, free of read capacity) still carries that write's token, so
 * it is exactly what the write produced. Judged only on a retry; a first attempt's failure is always real.
 */
function ownEarlierWrite(
  e: DynamoDBError,
  old: AttributeMap | undefined,
  token: string,
): old is AttributeMap {
  const wt = old?.[WRITE_TOKEN];
  return e.earlierAttemptUncertain && wt !== undefined && 'S' in wt && wt.S === token;
}

export class DynamoItemRepo implements ItemRepo {
  constructor(
    private readonly db: DynamoDB,
    private readonly table: string,
  ) {}

  async get(caller: Caller, resource: ResourceShape, id: string, opts: { consistent?: boolean } = {}) {
    const out = await this.db
      .call<{ Item?: AttributeMap }>('GetItem', {
        TableName: this.table,
        Key: { [PK]: { S: partitionKey(caller.tenant, resource.name) }, [SK]: { S: id } },
        ConsistentRead: opts.consistent === true,
        ReturnConsumedCapacity: 'TOTAL',
      })
      .catch(translate);
    return out.Item ? toStored(out.Item) : undefined;
  }

  private itemRecord(caller: Caller, resource: ResourceShape, item: StoredItem, token: string) {
    const pk = partitionKey(caller.tenant, resource.name);
    return marshall({
      ...item.data,
      ...indexAttributes(resource, pk, item.data, item.id),
      [PK]: pk,
      [SK]: item.id,
      [TYPE_ATTRIBUTE]: 'item',
      [WRITE_TOKEN]: token,
      id: item.id,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      version: item.version,
      createdBy: item.createdBy,
      updatedBy: item.updatedBy,
    });
  }

  async create(
    caller: Caller,
    resource: ResourceShape,
    item: StoredItem,
    idem?: IdempotencyRecord,
  ): Promise<void> {
    const token = uuidv7();
    const put = {
      TableName: this.table,
      Item: this.itemRecord(caller, resource, item, token),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PK },
    };
    if (!idem) {
      await this.db
        .call('PutItem', {
          ...put,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        })
        .catch((e) => {
          if (conditionFailed(e) && ownEarlierWrite(e, e.body?.Item as AttributeMap | undefined, token))
            return;
          // A fresh UUIDv7 cannot collide in practice; if it ever did, it must not overwrite.
          if (conditionFailed(e)) throw new WriteContention('id already taken', { cause: e });
          translate(e);
        });
      return;
    }
    const record = marshall({
      [PK]: idempotencyPartition(caller.tenant),
      [SK]: idem.key,
      [TYPE_ATTRIBUTE]: 'idem',
      [TTL_ATTRIBUTE]: idem.expiresAt,
      fingerprint: idem.fingerprint,
      itemId: idem.itemId,
      body: idem.body,
      version: idem.version,
    });
    try {
      // The token makes the client's retry of an applied transaction succeed as the first attempt did.
      await this.db.call('TransactWriteItems', {
        ClientRequestToken: token,
        TransactItems: [
          { Put: put },
          {
            Put: {
              TableName: this.table,
              Item: record,
              // An expired record (TTL deletion is lazy) no longer holds the key: expired once its TTL is not after now,
              // as the domain judges it (items.ts), so no second exists in which both refuse the key.
              ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
              ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL_ATTRIBUTE },
              ExpressionAttributeValues: { ':now': toAttr(Math.floor(Date.now() / 1000)) },
            },
          },
        ],
        ReturnConsumedCapacity: 'TOTAL',
      });
    } catch (e) {
      if (e instanceof DynamoDBError && e.code === 'TransactionCanceledException') {
        const reasons = (e.body?.CancellationReasons as { Code?: string }[] | undefined) ?? [];
        if (reasons[1]?.Code === 'ConditionalCheckFailed')
          throw new IdempotencyKeyTaken(idem.key, { cause: e });
        throw new WriteContention('transaction conflict', { cause: e });
      }
      if (e instanceof DynamoDBError && e.code === 'TransactionConflictException') {
        throw new WriteContention('transaction conflict', { cause: e });
      }
      translate(e);
    }
  }

  async getIdempotency(caller: Caller, key: string): Promise<IdempotencyRecord | undefined> {
    const out = await this.db
      .call<{ Item?: AttributeMap }>('GetItem', {
        TableName: this.table,
        Key: { [PK]: { S: idempotencyPartition(caller.tenant) }, [SK]: { S: key } },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      })
      .catch(translate);
    if (!out.Item) return undefined;
    const o = unmarshall(out.Item);
    return {
      key,
      fingerprint: o.fingerprint as string,
      itemId: o.itemId as string,
      body: o.body as string,
      version: o.version as number,
      expiresAt: o[TTL_ATTRIBUTE] as number,
    };
  }

  async replace(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    data: Readonly<Record<string, unknown>>,
    now: string,
    expectedVersion?: ExpectedVersion,
  ): Promise<StoredItem> {
    const pk = partitionKey(caller.tenant, resource.name);
    const names: Record<string, string> = {
      '#pk': PK,
      '#v': 'version',
      '#ua': 'updatedAt',
      '#ub': 'updatedBy',
      '#wt': WRITE_TOKEN,
    };
    const token = uuidv7();
    const values: AttributeMap = {
      ':one': { N: '1' },
      ':now': { S: now },
      ':by': { S: caller.principal },
      ':wt': { S: token },
    };
    const set = ['#v = #v + :one', '#ua = :now', '#ub = :by', '#wt = :wt'];
    const remove: string[] = [];
    const fields = {
      ...Object.fromEntries(resource.fields.map((k) => [k, undefined])),
      ...data,
    };
    let n = 0;
    for (const [k, v] of Object.entries({ ...fields, ...indexAttributes(resource, pk, data, id) })) {
      const name = `#a${n}`;
      names[name] = k;
      if (v === undefined) remove.push(name);
      else {
        values[`:a${n}`] = toAttr(v);
        set.push(`${name} = :a${n}`);
      }
      n++;
    }
    // The token clause never fails a first attempt (the token is new); it fails the retry of an applied attempt,
    // which without `If-Match` would otherwise bump the version a second time.
    const notYet = '(attribute_not_exists(#wt) OR #wt <> :wt)';
    const condition = `attribute_exists(#pk)${versionCondition(expectedVersion, values)} AND ${notYet}`;
    try {
      const out = await this.db.call<{ Attributes: AttributeMap }>('UpdateItem', {
        TableName: this.table,
        Key: { [PK]: { S: pk }, [SK]: { S: id } },
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnConsumedCapacity: 'TOTAL',
      });
      return toStored(out.Attributes);
    } catch (e) {
      if (conditionFailed(e)) {
        const old = e.body?.Item as AttributeMap | undefined;
        if (ownEarlierWrite(e, old, token)) return toStored(old);
        throw old ? new VersionMismatch(toStored(old)) : new ItemMissing(id);
      }
      // A transaction (a delete) holds the item right now: a race lost, like a version mismatch.
      if (e instanceof DynamoDBError && e.code === 'TransactionConflictException') {
        throw new WriteContention('transaction conflict', { cause: e });
      }
      translate(e);
    }
  }

  async delete(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    now: string,
    expectedVersion?: ExpectedVersion,
  ): Promise<void> {
    const names: Record<string, string> = { '#pk': PK };
    const values: AttributeMap = {};
    const condition = `attribute_exists(#pk)${versionCondition(expectedVersion, values)}`;
    if (expectedVersion !== undefined) names['#v'] = 'version';
    try {
      // The delete and the record of who deleted: a REMOVE stream record carries only the old image, so the
      // history consumer reads the deleter from here. One transaction, so neither exists without the other.
      // The client adds a ClientRequestToken: its retry of an applied delete succeeds instead of a 404.
      await this.db.call('TransactWriteItems', {
        TransactItems: [
          {
            Delete: {
              TableName: this.table,
              Key: { [PK]: { S: partitionKey(caller.tenant, resource.name) }, [SK]: { S: id } },
              ConditionExpression: condition,
              ExpressionAttributeNames: names,
              ...(expectedVersion !== undefined ? { ExpressionAttributeValues: values } : {}),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: marshall({
                [PK]: historyPartition(caller.tenant, resource.name, id),
                [SK]: DELETION_MARKER,
                [TYPE_ATTRIBUTE]: 'deletion',
                principal: caller.principal,
                at: now,
              }),
            },
          },
        ],
        ReturnConsumedCapacity: 'TOTAL',
      });
    } catch (e) {
      if (e instanceof DynamoDBError && e.code === 'TransactionCanceledException') {
        const reasons =
          (e.body?.CancellationReasons as { Code?: string; Item?: AttributeMap }[] | undefined) ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') {
          const old = reasons[0].Item;
          throw old ? new VersionMismatch(toStored(old)) : new ItemMissing(id);
        }
        throw new WriteContention('transaction conflict', { cause: e });
      }
      translate(e);
    }
  }

  async list(q: ListQuery): Promise<Page> {
    const pk = partitionKey(q.caller.tenant, q.resource.name);
    let index: string | undefined;
    let keyAttr = PK;
    let keyValue = pk;
    if (q.filter) {
      const ix = filterIndex(q.resource.filterBy.indexOf(q.filter.field));
      index = ix.name;
      keyAttr = ix.partitionKey;
      keyValue = filterPartitionKey(pk, q.filter.field, q.filter.value);
    } else if (q.sort === 'field') {
      index = SORT_INDEX;
      keyAttr = SORT_INDEX_PK;
    }
    let start: AttributeMap | undefined;
    if (q.after) {
      const { id, s } = q.after;
      if (typeof id !== 'string' || (index && typeof s !== 'string'))
        throw new BadRequest('cursor is not valid');
      start = { [PK]: { S: pk }, [SK]: { S: id } };
      if (index) {
        start[keyAttr] = { S: keyValue };
        start[SORT_SK] = { S: s as string };
      }
    }
    const out = await this.db
      .call<{ Items: AttributeMap[]; LastEvaluatedKey?: AttributeMap }>('Query', {
        TableName: this.table,
        ...(index ? { IndexName: index } : {}),
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': keyAttr },
        ExpressionAttributeValues: { ':k': { S: keyValue } },
        ScanIndexForward: !q.descending,
        Limit: q.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
        ReturnConsumedCapacity: 'TOTAL',
      })
      .catch(translate);
    const last = out.LastEvaluatedKey ? unmarshall(out.LastEvaluatedKey) : undefined;
    return {
      items: out.Items.map(toStored),
      positions: out.Items.map((a) => {
        const id = (a[SK] as { S: string }).S;
        return index ? { id, s: (a[SORT_SK] as { S: string } | undefined)?.S } : { id };
      }),
      ...(last ? { next: index ? { id: last[SK], s: last[SORT_SK] } : { id: last[SK] } } : {}),
    };
  }
}
