/**
 * The DynamoDB engine: DynamoDB Local (or a given endpoint) and the template's tables in it.
 * @module
 */

export type { DynamoDBLocal, DynamoDBLocalOptions, EngineExit } from './dynamodb-local';
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
export type { EngineState, SupervisedEngine, SupervisorOptions } from './supervisor';
export { describeExit, superviseEngine } from './supervisor';
export type { CreateTablesOptions, TablePlan, TableState } from './tables';
export { createTables, planTable, planTables } from './tables';
