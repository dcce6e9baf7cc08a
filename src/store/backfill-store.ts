/**
 * The backfill on DynamoDB: walks the table's item records with a Scan and rewrites the derived attributes
 * (index keys, TTL) of those that lack them or hold stale ones, as the current declarations would write them.
 *
 * A Scan, not a Query: this is a one-off migration over every partition, never a request path. DynamoDB's
 * guidance for reading a whole table is a (parallel) Scan with `Limit`, paced by the capacity it reports
 * (Developer Guide, "Scanning tables" and "Parallel scan"). The filter on `_type` does not lower the cost
 * (a Scan is charged for what it reads, before the filter), it only keeps other records out of the answer.
 *
 * Each rewrite is conditional on the item's `version` being the one scanned: a concurrent write of the API
 * wins (it writes the derived attributes itself) and the backfill's write is skipped. `version` and
 * `updatedAt` are not touched, so the stream's MODIFY is recognisable as a rewrite (`isRewriteOnly`).
 * @module
 */
import { type IndexFix, indexFix, needsFix } from '../core/backfill';
import type { ResourceShape } from '../core/resource';
import { type DynamoDB, DynamoDBError } from './dynamodb';
import { indexAttributes } from './item-store';
import { type AttributeMap, toAttr, unmarshall } from './marshal';
import { PK, SK, TYPE_ATTRIBUTE } from './table-design';

const ITEM_PK = /^T#[^#]+#R#([^#]+)$/;
const SERVER = new Set(['id', 'createdAt', 'updatedAt', 'version', 'createdBy', 'updatedBy']);
/** The update's condition: the item is still there, at the version the Scan read. */
const UNCHANGED_SINCE_SCANNED = 'attribute_exists(#pk) AND #v = :v';

/** One Scan page's outcome. */
export interface BackfillPage {
  /** Item records read (after the `_type` filter). */
  readonly scanned: number;
  /** Records rewritten. */
  readonly rewritten: number;
  /** Records a concurrent write changed (or deleted) first: left to that write. */
  readonly raced: number;
  /** Records of a resource no longer declared: left alone. */
  readonly undeclared: number;
  /** Capacity units the page's Scan and updates consumed. */
  readonly capacity: number;
  /** Where the next page starts; absent when the segment is done. */
  readonly nextKey?: AttributeMap;
}

function unitsOf(out: { ConsumedCapacity?: { CapacityUnits?: number } }): number {
  return Number(out.ConsumedCapacity?.CapacityUnits ?? 0);
}

/** The client fields of a record: what the API's writes derive the attributes from. */
function fieldsOf(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const data: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(record)) if (!k.startsWith('_') && !SERVER.has(k)) data[k] = record[k];
  return data;
}

/** The fix one record needs under the declarations, or undefined when its resource is not declared. */
export function fixFor(
  record: Readonly<Record<string, unknown>>,
  resources: readonly ResourceShape[],
): IndexFix | undefined {
  const name = ITEM_PK.exec(String(record[PK]))?.[1];
  const resource = resources.find((r) => r.name === name);
  if (!resource) return undefined;
  return indexFix(record, indexAttributes(resource, String(record[PK]), fieldsOf(record), String(record.id)));
}

/** Walks and repairs item records, one Scan page at a time. */
export class DynamoBackfill {
  constructor(
    private readonly db: DynamoDB,
    private readonly table: string,
    private readonly resources: readonly ResourceShape[],
  ) {}

  /** Reads one page of `segment` of `totalSegments` from `startKey` and rewrites what needs it. */
  async page(opts: {
    segment: number;
    totalSegments: number;
    limit: number;
    startKey?: AttributeMap;
  }): Promise<BackfillPage> {
    const out = await this.db.call<{
      Items: AttributeMap[];
      LastEvaluatedKey?: AttributeMap;
      ConsumedCapacity?: { CapacityUnits?: number };
    }>('Scan', {
      TableName: this.table,
      Limit: opts.limit,
      ...(opts.totalSegments > 1 ? { Segment: opts.segment, TotalSegments: opts.totalSegments } : {}),
      ...(opts.startKey ? { ExclusiveStartKey: opts.startKey } : {}),
      FilterExpression: '#type = :item',
      ExpressionAttributeNames: { '#type': TYPE_ATTRIBUTE },
      ExpressionAttributeValues: { ':item': { S: 'item' } },
      ReturnConsumedCapacity: 'TOTAL',
    });
    let capacity = unitsOf(out);
    let rewritten = 0;
    let raced = 0;
    let undeclared = 0;
    for (const raw of out.Items) {
      const record = unmarshall(raw);
      const fix = fixFor(record, this.resources);
      if (!fix) undeclared++;
      else if (needsFix(fix)) {
        const r = await this.rewrite(raw, record.version, fix);
        capacity += r.capacity;
        if (r.written) rewritten++;
        else raced++;
      }
    }
    return {
      scanned: out.Items.length,
      rewritten,
      raced,
      undeclared,
      capacity,
      ...(out.LastEvaluatedKey ? { nextKey: out.LastEvaluatedKey } : {}),
    };
  }

  private async rewrite(
    raw: AttributeMap,
    version: unknown,
    fix: IndexFix,
  ): Promise<{ written: boolean; capacity: number }> {
    const names: Record<string, string> = { '#pk': PK, '#v': 'version' };
    const values: AttributeMap = { ':v': toAttr(version) };
    const set: string[] = [];
    const remove: string[] = [];
    let n = 0;
    for (const [name, value] of fix.set) {
      names[`#a${n}`] = name;
      values[`:a${n}`] = toAttr(value);
      set.push(`#a${n} = :a${n}`);
      n++;
    }
    for (const name of fix.remove) {
      names[`#a${n}`] = name;
      remove.push(`#a${n}`);
      n++;
    }
    const update = [
      set.length ? `SET ${set.join(', ')}` : '',
      remove.length ? `REMOVE ${remove.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    try {
      const out = await this.db.call<{ ConsumedCapacity?: { CapacityUnits?: number } }>('UpdateItem', {
        TableName: this.table,
        Key: { [PK]: raw[PK], [SK]: raw[SK] },
        UpdateExpression: update,
        ConditionExpression: UNCHANGED_SINCE_SCANNED,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: 'TOTAL',
      });
      return { written: true, capacity: unitsOf(out) };
    } catch (e) {
      const lost =
        e instanceof DynamoDBError &&
        (e.code === 'ConditionalCheckFailedException' || e.code === 'TransactionConflictException');
      if (lost) return { written: false, capacity: 1 };
      throw e;
    }
  }
}
