import { describe, expect, it } from 'vitest';
import { partiqlPermission, requiredPermissions, tableArn } from './actions';

const ctx = { region: 'us-east-1', accountId: '000000000000' };
const T = 'arn:aws:dynamodb:us-east-1:000000000000:table/T';
const U = 'arn:aws:dynamodb:us-east-1:000000000000:table/U';
const need = (op: string, body: unknown) => requiredPermissions(`DynamoDB_20120810.${op}`, body, ctx);

describe('requiredPermissions', () => {
  it.each(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'DescribeTable', 'Query', 'Scan'])(
    '%s needs its own action on the table',
    (op) => {
      expect(need(op, { TableName: 'T', Key: {} })).toEqual([{ action: `dynamodb:${op}`, resource: T }]);
    },
  );

  it('puts Query and Scan on an index on the index ARN', () => {
    expect(need('Query', { TableName: 'T', IndexName: 'gsi1' })).toEqual([
      { action: 'dynamodb:Query', resource: `${T}/index/gsi1` },
    ]);
    expect(need('Scan', { TableName: 'T', IndexName: 'lsi' })).toEqual([
      { action: 'dynamodb:Scan', resource: `${T}/index/lsi` },
    ]);
  });

  it('accepts a table ARN as TableName', () => {
    expect(need('GetItem', { TableName: U })).toEqual([{ action: 'dynamodb:GetItem', resource: U }]);
    expect(tableArn('X', { ...ctx, partition: 'aws-cn' })).toBe(
      'arn:aws-cn:dynamodb:us-east-1:000000000000:table/X',
    );
  });

  it('authorizes each action of TransactWriteItems as its underlying operation, per table', () => {
    expect(
      need('TransactWriteItems', {
        TransactItems: [
          { Delete: { TableName: 'T', Key: {} } },
          { Put: { TableName: 'T', Item: {} } },
          { Put: { TableName: 'T', Item: {} } },
          { Update: { TableName: 'U', Key: {}, UpdateExpression: 'SET a = :a' } },
          { ConditionCheck: { TableName: 'U', Key: {}, ConditionExpression: 'attribute_exists(a)' } },
        ],
      }),
    ).toEqual([
      { action: 'dynamodb:DeleteItem', resource: T },
      { action: 'dynamodb:PutItem', resource: T },
      { action: 'dynamodb:UpdateItem', resource: U },
      { action: 'dynamodb:ConditionCheckItem', resource: U },
    ]);
  });

  it('authorizes TransactGetItems as GetItem per table', () => {
    expect(
      need('TransactGetItems', { TransactItems: [{ Get: { TableName: 'T' } }, { Get: { TableName: 'U' } }] }),
    ).toEqual([
      { action: 'dynamodb:GetItem', resource: T },
      { action: 'dynamodb:GetItem', resource: U },
    ]);
  });

  it('authorizes batches with their own actions on every table', () => {
    expect(
      need('BatchWriteItem', { RequestItems: { T: [{ PutRequest: {} }], U: [{ DeleteRequest: {} }] } }),
    ).toEqual([
      { action: 'dynamodb:BatchWriteItem', resource: T },
      { action: 'dynamodb:BatchWriteItem', resource: U },
    ]);
    expect(need('BatchGetItem', { RequestItems: { T: { Keys: [] } } })).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: T },
    ]);
  });

  it('puts operations without a resource on *', () => {
    expect(need('ListTables', {})).toEqual([{ action: 'dynamodb:ListTables', resource: '*' }]);
  });

  it('uses ResourceArn when the operation names one', () => {
    expect(need('ListTagsOfResource', { ResourceArn: T })).toEqual([
      { action: 'dynamodb:ListTagsOfResource', resource: T },
    ]);
  });

  it('reads PartiQL statements', () => {
    expect(need('ExecuteStatement', { Statement: 'SELECT * FROM "T"."gsi1" WHERE a = ?' })).toEqual([
      { action: 'dynamodb:PartiQLSelect', resource: `${T}/index/gsi1` },
    ]);
    expect(
      need('ExecuteTransaction', {
        TransactStatements: [
          { Statement: `INSERT INTO "T" VALUE {'a': 1}` },
          { Statement: 'DELETE FROM U WHERE a = 1' },
        ],
      }),
    ).toEqual([
      { action: 'dynamodb:PartiQLInsert', resource: T },
      { action: 'dynamodb:PartiQLDelete', resource: U },
    ]);
    expect(partiqlPermission('update "T" SET a = 1 WHERE k = 2', ctx)).toEqual({
      action: 'dynamodb:PartiQLUpdate',
      resource: T,
    });
    expect(partiqlPermission('VACUUM', ctx)).toBeUndefined();
  });

  it('gives undefined for what it cannot read', () => {
    expect(
      requiredPermissions('DynamoDBStreams_20120810.GetRecords', { ShardIterator: 'x' }, ctx),
    ).toBeUndefined();
    expect(need('GetItem', undefined)).toBeUndefined();
    expect(need('GetItem', { Key: {} })).toBeUndefined();
    expect(need('TransactWriteItems', { TransactItems: [{ Bogus: { TableName: 'T' } }] })).toBeUndefined();
    // Names of Object.prototype members are unknown kinds too, never an inherited function taken for an action.
    for (const kind of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const item = JSON.parse(`{${JSON.stringify(kind)}:{"TableName":"T"}}`);
      expect(need('TransactWriteItems', { TransactItems: [item] })).toBeUndefined();
    }
  });
});
