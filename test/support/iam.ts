/**
 * Test support for the twin's IAM tests (`local/iam/*.test.ts`): an engine with the test table, a principal
 * from policy statements, the table's ARN, dummy credentials, the message AWS gives for a missing grant, and
 * our app's DynamoDB client, the one client the IAM proxy and guard must serve (the twin itself imports
 * nothing from `src/`; its tests reach the app through here).
 * @module
 */
import { type DynamoDBLocal, startDynamoDBLocal } from '../../local/engine/dynamodb-local';
import { compilePolicy, type PolicyStatement } from '../../local/iam/evaluate';
import type { FunctionPrincipal } from '../../local/iam/principals';
import type { FunctionSpec } from '../../local/types';
import { DynamoDB } from '../../src/store/dynamodb';

export { DynamoDB, DynamoDBError } from '../../src/store/dynamodb';

export const T = 'arn:aws:dynamodb:us-east-1:000000000000:table/Tbl';
export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export const principal = (id: string, statements: PolicyStatement[], enforced = true): FunctionPrincipal => ({
  functionLogicalId: id,
  functionName: `S-${id}`,
  roleName: `${id}Role`,
  sessionArn: `arn:aws:sts::000000000000:assumed-role/${id}Role/S-${id}`,
  enforced,
  policies: { identity: compilePolicy({ Statement: statements }, `${id}Policy`) },
});

/** The `Message` of the AccessDeniedException the `Writer` principal gets for `action` on the test table. */
export const denied = (action: string) =>
  `User: arn:aws:sts::000000000000:assumed-role/WriterRole/S-Writer is not authorized to perform: dynamodb:${action} on resource: ${T} because no identity-based policy allows the dynamodb:${action} action`;

/** DynamoDB Local in memory with the test table `Tbl` (key `pk`). */
export async function engineWithTable(): Promise<DynamoDBLocal> {
  const engine = await startDynamoDBLocal();
  await new DynamoDB({ endpoint: engine.endpoint, region: 'us-east-1', credentials }).call('CreateTable', {
    TableName: 'Tbl',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  return engine;
}

/** The spec of the `Writer` function, with `environment`. */
export const writerSpec = (environment: Record<string, string> = {}): FunctionSpec => ({
  logicalId: 'Writer',
  functionName: 'S-Writer',
  functionArn: 'arn',
  handler: 'index.handler',
  runtime: 'nodejs20.x',
  memoryMb: 128,
  timeoutSeconds: 3,
  environment,
});
