/**
 * What the IAM proxy adds to a DynamoDB call: sequential GetItem calls with our client, straight to DynamoDB
 * Local and through the proxy, alternating in rounds so both see the same engine state. Prints medians and p99.
 *
 *   npx tsx bench/iam-proxy.ts [calls=1000]
 * @module
 */
import { startDynamoDBLocal } from '../local/engine/dynamodb-local';
import { compilePolicy } from '../local/iam/evaluate';
import { startIamProxy } from '../local/iam/proxy';
import { DynamoDB } from '../src/store/dynamodb';

const calls = Number(process.argv[2] ?? 1000);
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const engine = await startDynamoDBLocal();
const proxy = await startIamProxy({
  engineEndpoint: engine.endpoint,
  principals: [
    {
      functionLogicalId: 'Fn',
      functionName: 'Fn',
      roleName: 'Role',
      sessionArn: 'arn:aws:sts::000000000000:assumed-role/Role/Fn',
      enforced: true,
      policies: {
        identity: compilePolicy(
          {
            Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: '*' }],
          },
          'P',
        ),
      },
    },
  ],
});
try {
  const direct = new DynamoDB({ endpoint: engine.endpoint, region: 'us-east-1', credentials });
  const viaProxy = new DynamoDB({ endpoint: proxy.endpointFor('Fn'), region: 'us-east-1', credentials });
  await direct.call('CreateTable', {
    TableName: 'Bench',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  await direct.call('PutItem', { TableName: 'Bench', Item: { pk: { S: 'k' }, v: { S: 'x'.repeat(200) } } });
  const get = { TableName: 'Bench', Key: { pk: { S: 'k' } } };
  const time = async (db: DynamoDB) => {
    const t = performance.now();
    await db.call('GetItem', get);
    return performance.now() - t;
  };
  for (let i = 0; i < 200; i++) {
    await time(direct);
    await time(viaProxy);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < calls; i++) {
    a.push(await time(direct));
    b.push(await time(viaProxy));
  }
  const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) * p)] ?? 0;
  const f = (x: number) => `${x.toFixed(3)} ms`;
  console.log(`${calls} sequential GetItem calls each (our client, DynamoDB Local in memory):`);
  console.log(`  direct:      median ${f(q(a, 0.5))}, p99 ${f(q(a, 0.99))}`);
  console.log(`  via proxy:   median ${f(q(b, 0.5))}, p99 ${f(q(b, 0.99))}`);
  console.log(`  added:       median ${f(q(b, 0.5) - q(a, 0.5))}, p99 ${f(q(b, 0.99) - q(a, 0.99))}`);
} finally {
  await proxy.stop();
  await engine.stop();
}
