/**
 * The reference: handlers written the common way, with AWS SDK v3's `DynamoDBDocumentClient`. Same table,
 * same keys and the same DynamoDB calls as ours, no validation beyond what the call needs. The bench bundles
 * each one with esbuild exactly as the stack bundles ours (ESM, minified, `mainFields: module,main`).
 * @module
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export const TABLE = process.env.TABLE_NAME as string;
export const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const pk = (event: APIGatewayProxyEvent): string =>
  `T#${event.requestContext.authorizer?.tenant}#R#items`;

export const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** What we return to clients: the item without its key attributes. */
export function represent(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in item) if (!k.startsWith('_')) out[k] = item[k];
  return out;
}
