/** Reference GET: one `GetCommand`, eventually consistent. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { doc, json, pk, represent, TABLE } from './client';

export async function handler(event: APIGatewayProxyEvent) {
  const out = await doc.send(
    new GetCommand({ TableName: TABLE, Key: { _pk: pk(event), _sk: event.pathParameters?.id } }),
  );
  return out.Item ? json(200, represent(out.Item)) : json(404, { message: 'not found' });
}
