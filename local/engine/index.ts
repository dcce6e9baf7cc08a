/**
 * The DynamoDB engine: DynamoDB Local (or a given endpoint) and the template's tables in it.
 * @module
 */

export type { DynamoDBLocal, DynamoDBLocalOptions } from './dynamodb-local';
export {
  checkJava,
  EngineStartError,
  freePort,
  jarDir,
  pingDynamoDB,
  startDynamoDBLocal,
} from './dynamodb-local';
export type { Engine, EngineOptions } from './engine';
export { startEngine } from './engine';
export type { CreateTablesOptions, TablePlan, TableState } from './tables';
export { createTables, planTable, planTables } from './tables';
