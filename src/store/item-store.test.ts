/** The storage contract on the DynamoDB adapters, against DynamoDB Local with the stack's table. */
import { afterAll, beforeAll } from 'vitest';
import type { DynamoDBLocal } from '../../local/engine/dynamodb-local';
import { startEngineWithTable } from '../../test/support/table';
import type { DynamoDB } from './dynamodb';
import { DynamoHistoryRepo } from './history-store';
import { itemRepoContract } from './item-repo.contract';
import { DynamoItemRepo } from './item-store';

const TABLE = 'contract';
let engine: DynamoDBLocal | undefined;
let db: DynamoDB;

beforeAll(async () => {
  ({ engine, db } = await startEngineWithTable(TABLE));
});
afterAll(async () => {
  await engine?.stop();
});

// Every test of the contract uses a tenant of its own, so they share the one table.
itemRepoContract('DynamoDB Local', () => ({
  items: new DynamoItemRepo(db, TABLE),
  history: new DynamoHistoryRepo(db, TABLE),
}));
