/**
 * Module-scope wiring shared by the CRUD functions: one DynamoDB client (kept-alive connections) and one
 * repository per execution environment. Nothing is called here; the first request opens the connection.
 * @module
 */
import type { ItemSettings } from '../core/items';
import { DynamoDB } from '../store/dynamodb';
import { DynamoHistoryRepo } from '../store/history-store';
import { DynamoItemRepo } from '../store/item-store';
import { config } from './config';
import type { Dependencies } from './http-adapter';

const capacity = { units: 0 };

function addCapacity(_op: string, c: unknown): void {
  for (const entry of Array.isArray(c) ? c : [c])
    capacity.units += Number((entry as { CapacityUnits?: number }).CapacityUnits ?? 0);
}

const settings: ItemSettings = {
  maxBodyBytes: config.maxBodyBytes,
  // A getter: only the list operation reads it, and only the list function is given the key.
  get cursorSecret() {
    return config.cursorSecret;
  },
};

const db = new DynamoDB({ onCapacity: addCapacity });

export const dependencies: Dependencies = {
  repo: new DynamoItemRepo(db, config.tableName),
  history: new DynamoHistoryRepo(db, config.tableName),
  settings: () => settings,
  capacity,
  allowedOrigins: config.allowedOrigins,
};
