/**
 * What the sections share: request headers for the twin, items created through the API, item records built
 * by our own store (so seeded data follows the key design exactly), Lambda events, and bulk seeding.
 * @module
 */
import { uuidv7 } from '../../src/core/ids';
import type { StoredItem } from '../../src/core/ports';
import { items } from '../../src/resources/items';
import { DynamoDB } from '../../src/store/dynamodb';
import { DynamoItemRepo } from '../../src/store/item-store';
import type { AttributeMap } from '../../src/store/marshal';

/** The tenant and principal of every bench request. */
export const TENANT = 'bench';
export const PRINCIPAL = 'bench-user';
export const DUMMY_AWS = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};

export const apiHeaders = (apiKey: string, token: string): Record<string, string> => ({
  'x-api-key': apiKey,
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
});

/** A small catalogue item, about 200 bytes stored. */
export const itemBody = (n: number): Record<string, unknown> => ({
  name: `item ${n}`,
  price: (n % 1000) + 0.5,
  description: 'a bench item',
});

/** Creates `n` items through the API (8 at a time); resolves with their ids. */
export async function createItems(
  url: string,
  headers: Record<string, string>,
  n: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, n - i) }, async (_, k) => {
        const r = await fetch(`${url}/items`, {
          method: 'POST',
          headers,
          body: JSON.stringify(itemBody(i + k)),
        });
        if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
        return ((await r.json()) as { id: string }).id;
      }),
    );
    ids.push(...batch);
  }
  return ids;
}

/**
 * The record our store writes for an item: `DynamoItemRepo.create` is run against a stand-in client that
 * captures the `PutItem` instead of sending it, so the bench can never drift from the key design.
 */
export async function itemRecord(tenant: string, item: StoredItem): Promise<AttributeMap> {
  let captured: AttributeMap | undefined;
  const capture = {
    call: async (_op: string, input: { Item: AttributeMap }) => {
      captured = input.Item;
      return {};
    },
  } as unknown as DynamoDB;
  await new DynamoItemRepo(capture, 'unused').create({ tenant, principal: PRINCIPAL }, items, item);
  if (!captured) throw new Error('the store wrote no item');
  return captured;
}

/** A stored item as the create operation would make it. */
export function storedItem(n: number, now = Date.now()): StoredItem {
  const at = new Date(now).toISOString();
  return {
    id: uuidv7(now),
    data: itemBody(n),
    createdAt: at,
    updatedAt: at,
    version: 1,
    createdBy: PRINCIPAL,
    updatedBy: PRINCIPAL,
  };
}

/**
 * Writes `count` items into one tenant's `items` partition with BatchWriteItem, straight to the engine,
 * `parallel` batches of 25 at a time; unprocessed items are retried.
 */
export async function seedItems(
  endpoint: string,
  table: string,
  tenant: string,
  count: number,
  parallel = 8,
): Promise<string[]> {
  const db = new DynamoDB({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let next = 0;
  const base = Date.now();
  const ids: string[] = [];
  async function worker(): Promise<void> {
    while (next < count) {
      const start = next;
      next = Math.min(count, next + 25);
      let requests = await Promise.all(
        Array.from({ length: next - start }, async (_, k) => {
          const item = storedItem(start + k, base + start + k);
          ids.push(item.id);
          return { PutRequest: { Item: await itemRecord(tenant, item) } };
        }),
      );
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error('seeding: items stay unprocessed');
        const out = await db.call<{ UnprocessedItems?: Record<string, typeof requests> }>('BatchWriteItem', {
          RequestItems: { [table]: requests },
        });
        requests = out.UnprocessedItems?.[table] ?? [];
        if (requests.length) await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids;
}

export interface ProxyEventInit {
  readonly method: string;
  readonly resource: string;
  readonly path: string;
  readonly id?: string;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly contentType?: string;
}

/** An API Gateway REST proxy event (payload 1.0) as the gateway sends it after our authorizer allowed it. */
export function proxyEvent(e: ProxyEventInit): Record<string, unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (e.body !== undefined) headers['content-type'] = e.contentType ?? 'application/json';
  return {
    resource: e.resource,
    path: e.path,
    httpMethod: e.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: e.query ?? null,
    multiValueQueryStringParameters: e.query
      ? Object.fromEntries(Object.entries(e.query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: e.id ? { id: e.id } : null,
    stageVariables: null,
    requestContext: {
      resourcePath: e.resource,
      httpMethod: e.method,
      path: `/local${e.path}`,
      stage: 'local',
      requestId: crypto.randomUUID(),
      authorizer: { tenant: TENANT, principal: PRINCIPAL, principalId: PRINCIPAL },
    },
    body: e.body === undefined ? null : JSON.stringify(e.body),
    isBase64Encoded: false,
  };
}

/** A REQUEST authorizer event carrying `token`. */
export function authorizerEvent(token: string): Record<string, unknown> {
  return {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:us-east-1:000000000000:bench/local/GET/items',
    resource: '/items',
    path: '/items',
    httpMethod: 'GET',
    headers: { authorization: `Bearer ${token}` },
    requestContext: { stage: 'local', requestId: crypto.randomUUID() },
  };
}

/** A DynamoDB Streams batch of one INSERT of `record`. */
export function streamEvent(record: AttributeMap): Record<string, unknown> {
  return {
    Records: [
      {
        eventID: '1',
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: { _pk: record._pk, _sk: record._sk },
          NewImage: record,
          SequenceNumber: '100000000000000000001',
          SizeBytes: 300,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  };
}
