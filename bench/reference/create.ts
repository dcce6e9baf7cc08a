/** Reference create: one conditional `PutCommand` with the same index attributes as ours. */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { doc, json, pk, represent, TABLE } from './client';

export async function handler(event: APIGatewayProxyEvent) {
  const data = JSON.parse(event.body ?? '{}');
  const id = randomUUID();
  const now = new Date().toISOString();
  const by = String(event.requestContext.authorizer?.principal ?? '');
  const key = pk(event);
  const item = {
    ...data,
    _pk: key,
    _sk: id,
    _ssk: `${String(data.price).padStart(16, '0')}\u0001${id}`,
    _g1pk: key,
    _type: 'item',
    id,
    createdAt: now,
    updatedAt: now,
    version: 1,
    createdBy: by,
    updatedBy: by,
  };
  await doc.send(
    new PutCommand({
      TableName: TABLE,
      Item: item,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': '_pk' },
    }),
  );
  return json(201, represent(item));
}
