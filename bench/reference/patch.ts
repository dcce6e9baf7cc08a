/** Reference patch: a consistent `GetCommand`, the merge, then an `UpdateCommand` conditional on the version. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { doc, json, pk, represent, TABLE } from './client';

export async function handler(event: APIGatewayProxyEvent) {
  const Key = { _pk: pk(event), _sk: event.pathParameters?.id };
  const patch = JSON.parse(event.body ?? '{}') as Record<string, unknown>;
  const current = await doc.send(new GetCommand({ TableName: TABLE, Key, ConsistentRead: true }));
  if (!current.Item) return json(404, { message: 'not found' });
  const names: Record<string, string> = { '#v': 'version', '#ua': 'updatedAt' };
  const values: Record<string, unknown> = {
    ':one': 1,
    ':now': new Date().toISOString(),
    ':v': current.Item.version,
  };
  const set = ['#v = #v + :one', '#ua = :now'];
  Object.entries(patch).forEach(([k, v], n) => {
    names[`#a${n}`] = k;
    values[`:a${n}`] = v;
    set.push(`#a${n} = :a${n}`);
  });
  const out = await doc.send(
    new UpdateCommand({
      TableName: TABLE,
      Key,
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: '#v = :v',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return json(200, represent(out.Attributes ?? {}));
}
