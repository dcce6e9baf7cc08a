/** Reference list: one `QueryCommand` of the tenant's partition, a page of `limit` (25). */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { doc, json, pk, represent, TABLE } from './client';

export async function handler(event: APIGatewayProxyEvent) {
  const limit = Number(event.queryStringParameters?.limit ?? 25);
  const out = await doc.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': '_pk' },
      ExpressionAttributeValues: { ':k': pk(event) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return json(200, { items: (out.Items ?? []).map(represent), next: out.LastEvaluatedKey?._sk });
}
