/**
 * Creates the template's DynamoDB tables in the local engine, as declared.
 *
 * Emulated, for `AWS::DynamoDB::Table` and `AWS::DynamoDB::GlobalTable` (CDK `TableV2`): `TableName` (else
 * `<stack>-<logicalId>` via the resolver), `KeySchema`, `AttributeDefinitions`, `GlobalSecondaryIndexes`,
 * `LocalSecondaryIndexes`, `BillingMode` and `ProvisionedThroughput` (CloudFormation's default is PROVISIONED),
 * `StreamSpecification`, `TimeToLiveSpecification` (through `UpdateTimeToLive`), resource `Condition`s.
 *
 * Idempotent: a table that already exists (a persisted data dir) is kept with its data; a key schema that differs
 * from the template's is reported, never "fixed" by dropping data; GSIs the template added are created and a stream
 * it added is enabled. Ignored with a one-line note per table: point-in-time recovery, SSE, deletion protection,
 * table class, contributor insights, Kinesis streaming, import sources, replicas, resource policies, warm or
 * on-demand throughput settings.
 * @module
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { CfnTemplate, Log } from '../types';

/** How one table should look, from the template. */
export interface TablePlan {
  readonly logicalId: string;
  readonly tableName: string;
  readonly create: CreateTableCommandInput;
  readonly ttl?: { readonly AttributeName: string; readonly Enabled: boolean };
  /** Properties ignored locally. */
  readonly ignored: readonly string[];
}

/** A table as it stands after {@link createTables}. */
export interface TableState {
  readonly logicalId: string;
  readonly tableName: string;
  readonly tableArn?: string;
  /** The stream's real ARN, when the table has a stream (feed it to `Resolver.setAttribute`). */
  readonly streamArn?: string;
  /** False when the table already existed. */
  readonly created: boolean;
}

export interface CreateTablesOptions {
  readonly log?: Log;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Resource conditions; @default every table is included */
  readonly isIncluded?: (logicalId: string) => boolean;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);
const HANDLED = new Set([
  'TableName',
  'KeySchema',
  'AttributeDefinitions',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'ProvisionedThroughput',
  'StreamSpecification',
  'TimeToLiveSpecification',
  'Tags',
  'WriteProvisionedThroughputSettings',
  'WriteOnDemandThroughputSettings',
]);
const DEFAULT_THROUGHPUT = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };

type Props = Record<string, unknown>;

function throughput(v: unknown): { ReadCapacityUnits: number; WriteCapacityUnits: number } {
  const t = (v ?? {}) as Props;
  const read = Number(t['ReadCapacityUnits']);
  const write = Number(t['WriteCapacityUnits']);
  return read > 0 && write > 0 ? { ReadCapacityUnits: read, WriteCapacityUnits: write } : DEFAULT_THROUGHPUT;
}

/** Plans one table from its resolved properties (pure). */
export function planTable(logicalId: string, type: string, props: Props, tableName: string): TablePlan {
  const ignored = Object.keys(props).filter((k) => !HANDLED.has(k));
  // GlobalTable keeps per-replica settings (PITR, SSE, ...) under Replicas; note them as the table's.
  const billing = String(
    props['BillingMode'] ?? (type === 'AWS::DynamoDB::GlobalTable' ? 'PAY_PER_REQUEST' : 'PROVISIONED'),
  );
  const provisioned = billing === 'PROVISIONED';
  const gsis = ((props['GlobalSecondaryIndexes'] ?? []) as Props[]).map(
    (g): GlobalSecondaryIndex => ({
      IndexName: String(g['IndexName']),
      KeySchema: g['KeySchema'] as KeySchemaElement[],
      Projection: (g['Projection'] ?? { ProjectionType: 'ALL' }) as GlobalSecondaryIndex['Projection'],
      ...(provisioned ? { ProvisionedThroughput: throughput(g['ProvisionedThroughput']) } : {}),
    }),
  );
  const lsis = ((props['LocalSecondaryIndexes'] ?? []) as Props[]).map((l) => ({
    IndexName: String(l['IndexName']),
    KeySchema: l['KeySchema'] as KeySchemaElement[],
    Projection: (l['Projection'] ?? { ProjectionType: 'ALL' }) as GlobalSecondaryIndex['Projection'],
  }));
  const stream = props['StreamSpecification'] as Props | undefined;
  const viewType = stream?.['StreamViewType'];
  const create: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: props['KeySchema'] as KeySchemaElement[],
    AttributeDefinitions: props['AttributeDefinitions'] as AttributeDefinition[],
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
    ...(provisioned ? { ProvisionedThroughput: throughput(props['ProvisionedThroughput']) } : {}),
    ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(lsis.length ? { LocalSecondaryIndexes: lsis } : {}),
    ...(typeof viewType === 'string'
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: viewType as 'NEW_AND_OLD_IMAGES' } }
      : {}),
  };
  const ttlSpec = props['TimeToLiveSpecification'] as Props | undefined;
  const ttl =
    ttlSpec && typeof ttlSpec['AttributeName'] === 'string'
      ? { AttributeName: ttlSpec['AttributeName'], Enabled: ttlSpec['Enabled'] !== false }
      : undefined;
  return { logicalId, tableName, create, ...(ttl ? { ttl } : {}), ignored };
}

/**
 * Plans every table of the template. `resolve` must resolve intrinsics; `Ref` to the table gives its local name.
 */
export function planTables(
  template: CfnTemplate,
  resolve: (value: unknown, where?: string) => unknown,
  isIncluded: (logicalId: string) => boolean = () => true,
): TablePlan[] {
  const plans: TablePlan[] = [];
  for (const [id, res] of Object.entries(template.Resources)) {
    if (!TABLE_TYPES.has(res.Type) || !isIncluded(id)) continue;
    const props = (resolve(res.Properties ?? {}, id) ?? {}) as Props;
    const tableName = String(resolve({ Ref: id }, id));
    plans.push(planTable(id, res.Type, props, tableName));
  }
  return plans;
}

function sameKeys(a: readonly KeySchemaElement[] = [], b: readonly KeySchemaElement[] = []): boolean {
  const s = (k: readonly KeySchemaElement[]) => k.map((e) => `${e.AttributeName}:${e.KeyType}`).join(',');
  return s(a) === s(b);
}

async function describe(client: DynamoDBClient, TableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName }))).Table;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
}

async function waitActive(client: DynamoDBClient, TableName: string): Promise<TableDescription> {
  for (let i = 0; ; i++) {
    const t = await describe(client, TableName);
    const indexesReady = (t?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (t?.TableStatus === 'ACTIVE' && indexesReady) return t;
    if (i > 600) throw new Error(`table ${TableName} did not become ACTIVE`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Brings an existing table closer to the plan without losing data: new GSIs, a new stream. */
async function reconcile(
  client: DynamoDBClient,
  plan: TablePlan,
  t: TableDescription,
  log: Log,
): Promise<TableDescription> {
  const name = plan.tableName;
  if (!sameKeys(t.KeySchema, plan.create.KeySchema)) {
    log(
      `warning: table ${name} (${plan.logicalId}) exists with key schema ${JSON.stringify(t.KeySchema)}, but the template declares ${JSON.stringify(plan.create.KeySchema)}; kept as is (delete the data dir to recreate it)`,
    );
    return t;
  }
  const have = new Set((t.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  for (const gsi of plan.create.GlobalSecondaryIndexes ?? []) {
    if (have.has(gsi.IndexName)) continue;
    log(`table ${name}: adding index ${gsi.IndexName}`);
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: plan.create.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: gsi }],
      }),
    );
    await waitActive(client, name);
  }
  const wantsStream = plan.create.StreamSpecification;
  if (wantsStream && !t.StreamSpecification?.StreamEnabled) {
    log(`table ${name}: enabling its stream (${wantsStream.StreamViewType})`);
    await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: wantsStream }));
  }
  return waitActive(client, name);
}

/**
 * Creates every table of the template at `endpoint`, idempotently, and sets their TTL.
 * @example
 * const tables = await createTables(stack.template, resolver.resolve, engine.endpoint, { isIncluded: resolver.isIncluded });
 * for (const t of tables) if (t.streamArn) resolver.setAttribute(t.logicalId, 'StreamArn', t.streamArn);
 */
export async function createTables(
  template: CfnTemplate,
  resolve: (value: unknown, where?: string) => unknown,
  endpoint: string,
  opts: CreateTablesOptions = {},
): Promise<TableState[]> {
  const log = opts.log ?? (() => {});
  const client = new DynamoDBClient({
    endpoint,
    region: opts.region ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  try {
    const out: TableState[] = [];
    for (const plan of planTables(template, resolve, opts.isIncluded)) {
      if (plan.ignored.length) log(`table ${plan.tableName}: ignored locally: ${plan.ignored.join(', ')}`);
      let t = await describe(client, plan.tableName);
      const created = !t;
      if (t) {
        t = await reconcile(client, plan, t, log);
      } else {
        await client.send(new CreateTableCommand(plan.create));
        t = await waitActive(client, plan.tableName);
      }
      if (plan.ttl) {
        const cur = (await client.send(new DescribeTimeToLiveCommand({ TableName: plan.tableName })))
          .TimeToLiveDescription;
        const on = cur?.TimeToLiveStatus === 'ENABLED' || cur?.TimeToLiveStatus === 'ENABLING';
        if (on && cur?.AttributeName !== plan.ttl.AttributeName) {
          log(
            `warning: table ${plan.tableName} has TTL on ${cur?.AttributeName}, the template says ${plan.ttl.AttributeName}; kept`,
          );
        } else if (on !== plan.ttl.Enabled) {
          await client.send(
            new UpdateTimeToLiveCommand({ TableName: plan.tableName, TimeToLiveSpecification: plan.ttl }),
          );
        }
      }
      out.push({
        logicalId: plan.logicalId,
        tableName: plan.tableName,
        ...(t.TableArn ? { tableArn: t.TableArn } : {}),
        ...(t.LatestStreamArn && t.StreamSpecification?.StreamEnabled
          ? { streamArn: t.LatestStreamArn }
          : {}),
        created,
      });
    }
    return out;
  } finally {
    client.destroy();
  }
}
