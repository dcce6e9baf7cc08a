/**
 * Test support: DynamoDB Local (in memory) with the table the stack declares, created from the same key
 * design module the stack uses.
 */
import { type DynamoDBLocal, startDynamoDBLocal } from '../../local/engine/dynamodb-local';
import { resources } from '../../src/resources/index';
import { DynamoDB } from '../../src/store/dynamodb';
import { indexesFor, PK, SK } from '../../src/store/table-design';

export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function startEngineWithTable(table: string): Promise<{ engine: DynamoDBLocal; db: DynamoDB }> {
  const engine = await startDynamoDBLocal();
  const db = new DynamoDB({ endpoint: engine.endpoint, region: 'us-east-1', credentials });
  const indexes = indexesFor(resources);
  const attrs = new Set([PK, SK, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])]);
  await db.call('CreateTable', {
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: PK, KeyType: 'HASH' },
      { AttributeName: SK, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  });
  return { engine, db };
}
