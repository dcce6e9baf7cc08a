/**
 * The change-history consumer: a DynamoDB Streams batch in, one history entry per item change out.
 *
 * - Only item records count (`_type = item`); the event source mapping filters the rest out, and so does this.
 *   A MODIFY that keeps the version (a backfill rewriting index attributes) is not a change either.
 * - Idempotent: an entry is keyed by the version it produced and written once, so a replayed record or a
 *   retried batch writes nothing twice.
 * - Partial batch responses (`ReportBatchItemFailures`): a record that fails is reported by its sequence
 *   number; the others in the batch are kept. A record that keeps failing ends in the on-failure destination.
 * - A REMOVE carries only the old image: the deleter is read from the `deleted-by` record the delete wrote in
 *   the same transaction (or, for a TTL expiry, is the DynamoDB service).
 * Written as a 30-line loop rather than with Powertools' BatchProcessor, to keep its cold start small.
 * @module
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isRewriteOnly } from '../core/backfill';
import { entryFor } from '../core/history';
import { DynamoDB } from '../store/dynamodb';
import { DynamoHistoryRepo } from '../store/history-store';
import { type AttributeMap, unmarshall } from '../store/marshal';
import { config } from './config';
import { log } from './logger';

const history = new DynamoHistoryRepo(new DynamoDB(), config.tableName);
const ITEM_PK = /^T#([^#]+)#R#([^#]+)$/;

async function processRecord(record: DynamoDBRecord): Promise<'written' | 'replayed' | 'skipped'> {
  const eventName = record.eventName;
  const data = record.dynamodb;
  if (!eventName || !data) throw new TypeError('not a DynamoDB stream record');
  const newImage = data.NewImage ? unmarshall(data.NewImage as AttributeMap) : undefined;
  const oldImage = data.OldImage ? unmarshall(data.OldImage as AttributeMap) : undefined;
  const image = newImage ?? oldImage;
  if (image?._type !== 'item') return 'skipped';
  // A backfill's rewrite of index attributes keeps the version: not a change of the item, so no entry.
  if (eventName === 'MODIFY' && isRewriteOnly(oldImage, newImage)) return 'skipped';
  const m = ITEM_PK.exec(String(image._pk));
  if (!m || typeof image.id !== 'string') throw new TypeError('item record without a valid key');
  const [, tenant, resource] = m as unknown as [string, string, string];
  const seconds = Number(data.ApproximateCreationDateTime ?? 0);
  let at = new Date(seconds > 1e11 ? seconds : seconds * 1000).toISOString();
  let deleter: string | undefined;
  if (eventName === 'REMOVE') {
    const ttlExpiry = record.userIdentity?.type === 'Service';
    const deletion = ttlExpiry ? undefined : await history.deletionOf(tenant, resource, image.id);
    deleter = ttlExpiry ? 'dynamodb.amazonaws.com' : deletion?.principal;
    if (deletion) at = deletion.at;
  } else if (typeof newImage?.updatedAt === 'string') {
    at = newImage.updatedAt;
  }
  const entry = entryFor(
    {
      eventName,
      ...(oldImage ? { oldImage } : {}),
      ...(newImage ? { newImage } : {}),
      at,
      ...(deleter ? { deleter } : {}),
    },
    tenant,
  );
  return (await history.record(tenant, resource, image.id, entry)) ? 'written' : 'replayed';
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  const counts = { written: 0, replayed: 0, skipped: 0, failed: 0 };
  for (const record of event.Records) {
    try {
      counts[await processRecord(record)]++;
    } catch (error) {
      counts.failed++;
      log('ERROR', 'history record failed', {
        eventID: record.eventID,
        sequenceNumber: record.dynamodb?.SequenceNumber,
        error,
      });
      const id = record.dynamodb?.SequenceNumber;
      if (id) batchItemFailures.push({ itemIdentifier: id });
    }
  }
  log('INFO', 'history batch', { records: event.Records.length, ...counts });
  return { batchItemFailures };
}
