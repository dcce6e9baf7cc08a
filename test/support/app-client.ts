/**
 * Our app's DynamoDB client, for twin tests that talk to the engine directly: `local/` imports nothing from
 * `src/` (it serves any CDK app), so its tests reach the app's code through test support.
 * @module
 */
export { DynamoDB, DynamoDBError } from '../../src/store/dynamodb';
