/**
 * The {@link HistoryRepo} port on DynamoDB: entries in the item's history partition, keyed by the version
 * they produced, written once (a conditional put makes a replayed stream record a no-op).
 * @module
 */
import type { HistoryEntry } from '../core/history';
import { sequenceOf } from '../core/history';
import type { Caller, HistoryPage, HistoryRepo } from '../core/ports';
import type { ResourceShape } from '../core/resource';
import { type DynamoDB, DynamoDBError } from './dynamodb';
import { translate } from './item-store';
import { type AttributeMap, marshall, unmarshall } from './marshal';
import { DELETION_MARKER, historyPartition, historySortKey, PK, SK, TYPE_ATTRIBUTE } from './table-design';

export class DynamoHistoryRepo implements HistoryRepo {
  constructor(
    private readonly db: DynamoDB,
    private readonly table: string,
  ) {}

  async record(tenant: string, resource: string, id: string, entry: HistoryEntry): Promise<boolean> {
    try {
      await this.db.call('PutItem', {
        TableName: this.table,
        Item: marshall({
          ...entry,
          [PK]: historyPartition(tenant, resource, id),
          [SK]: historySortKey(sequenceOf(entry)),
          [TYPE_ATTRIBUTE]: 'history',
        }),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
        ReturnConsumedCapacity: 'TOTAL',
      });
      return true;
    } catch (e) {
      if (e instanceof DynamoDBError && e.code === 'ConditionalCheckFailedException') return false;
      return translate(e);
    }
  }

  async deletionOf(tenant: string, resource: string, id: string) {
    const out = await this.db
      .call<{ Item?: AttributeMap }>('GetItem', {
        TableName: this.table,
        Key: { [PK]: { S: historyPartition(tenant, resource, id) }, [SK]: { S: DELETION_MARKER } },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      })
      .catch(translate);
    if (!out.Item) return undefined;
    const o = unmarshall(out.Item);
    return { principal: String(o.principal), at: String(o.at) };
  }

  async list(
    caller: Caller,
    resource: ResourceShape,
    id: string,
    limit: number,
    after?: Readonly<Record<string, unknown>>,
  ): Promise<HistoryPage> {
    const pk = historyPartition(caller.tenant, resource.name, id);
    const out = await this.db
      .call<{ Items: AttributeMap[]; LastEvaluatedKey?: AttributeMap }>('Query', {
        TableName: this.table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :v)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': { S: pk }, ':v': { S: 'v' } },
        ScanIndexForward: false,
        Limit: limit,
        ...(after && typeof after.s === 'string'
          ? { ExclusiveStartKey: { [PK]: { S: pk }, [SK]: { S: after.s } } }
          : {}),
        ReturnConsumedCapacity: 'TOTAL',
      })
      .catch(translate);
    const entries = out.Items.map((a) => {
      const { [PK]: _pk, [SK]: _sk, [TYPE_ATTRIBUTE]: _t, ...entry } = unmarshall(a);
      return entry as unknown as HistoryEntry;
    });
    const last = out.LastEvaluatedKey ? unmarshall(out.LastEvaluatedKey) : undefined;
    const positions = out.Items.map((a) => ({ s: (a[SK] as { S: string }).S }));
    return { entries, positions, ...(last ? { next: { s: last[SK] } } : {}) };
  }
}
