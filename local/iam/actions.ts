/**
 * What IAM authorizes for one DynamoDB JSON-protocol request: every (action, resource) pair the call needs,
 * derived from `X-Amz-Target` and the request body, as the AWS documentation describes it:
 *
 * - single-item and table operations: `dynamodb:<Operation>` on the table ARN (`TableName`, a name or an ARN);
 *   `Query`/`Scan` with `IndexName` on `<table ARN>/index/<IndexName>`; `ResourceArn` operations (tags, resource
 *   policies) on that ARN; operations without a resource (`ListTables`, `DescribeLimits`, ...) on `*`;
 * - `TransactWriteItems`: per contained action, `dynamodb:PutItem`/`UpdateItem`/`DeleteItem`/`ConditionCheckItem`
 *   on its table; `TransactGetItems`: `dynamodb:GetItem` per table ("Using IAM with DynamoDB transactions":
 *   permissions for Put, Update, Delete and Get are those of the underlying operations; ConditionCheck is
 *   `dynamodb:ConditionCheckItem`);
 * - `BatchGetItem`/`BatchWriteItem`: `dynamodb:BatchGetItem`/`dynamodb:BatchWriteItem` on each table of
 *   `RequestItems` (the Service Authorization Reference maps each to its own action only);
 * - PartiQL (`ExecuteStatement`, `BatchExecuteStatement`, `ExecuteTransaction`): `dynamodb:PartiQLSelect`/
 *   `PartiQLInsert`/`PartiQLUpdate`/`PartiQLDelete` on the table (or index) the statement names, best effort.
 *
 * Pure; no I/O.
 * @module
 */

/** One permission a request needs. */
export interface Permission {
  /** `dynamodb:PutItem`, ... */
  readonly action: string;
  /** A table or index ARN, or `*`. */
  readonly resource: string;
}

export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/** The DynamoDB JSON protocol's target prefix. */
export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810.';

type Body = Record<string, unknown>;

const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A table's ARN from a `TableName` (which DynamoDB also accepts as an ARN). */
export function tableArn(nameOrArn: string, ctx: ArnContext): string {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  return `arn:${ctx.partition ?? 'aws'}:dynamodb:${ctx.region}:${ctx.accountId}:table/${nameOrArn}`;
}

/** Operations authorized on `*` (the action supports no resource-level permission). */
const NO_RESOURCE = new Set([
  'ListTables',
  'DescribeLimits',
  'DescribeEndpoints',
  'ListBackups',
  'ListGlobalTables',
  'ListExports',
  'ListImports',
  'ListContributorInsights',
  'DescribeReservedCapacity',
  'DescribeReservedCapacityOfferings',
  'PurchaseReservedCapacityOfferings',
]);

/** Keyed by a member name of the request (a Map: `toString` or `__proto__` there is an unknown kind, not a lookup). */
const TRANSACT_WRITE: ReadonlyMap<string, string> = new Map([
  ['Put', 'dynamodb:PutItem'],
  ['Update', 'dynamodb:UpdateItem'],
  ['Delete', 'dynamodb:DeleteItem'],
  ['ConditionCheck', 'dynamodb:ConditionCheckItem'],
]);

/** What a PartiQL statement needs: the action from its verb, the resource from its first table reference. */
export function partiqlPermission(statement: string, ctx: ArnContext): Permission | undefined {
  const s = statement.trim();
  const verb = /^(select|insert|update|delete|exists)\b/i.exec(s)?.[1]?.toLowerCase();
  if (!verb) return undefined;
  const action = {
    select: 'dynamodb:PartiQLSelect',
    exists: 'dynamodb:PartiQLSelect',
    insert: 'dynamodb:PartiQLInsert',
    update: 'dynamodb:PartiQLUpdate',
    delete: 'dynamodb:PartiQLDelete',
  }[verb];
  const name = '(?:"((?:[^"]|"")+)"|([A-Za-z0-9_.-]+))';
  const where =
    verb === 'insert'
      ? new RegExp(`^insert\\s+into\\s+${name}`, 'i')
      : verb === 'update'
        ? new RegExp(`^update\\s+${name}`, 'i')
        : new RegExp(`\\bfrom\\s+${name}(?:\\s*\\.\\s*${name})?`, 'i');
  const m = where.exec(s);
  if (!m || !action) return undefined;
  const table = (m[1]?.replaceAll('""', '"') ?? m[2]) as string;
  const index = m[3]?.replaceAll('""', '"') ?? m[4];
  const arn = tableArn(table, ctx);
  return { action, resource: index ? `${arn}/index/${index}` : arn };
}

/**
 * The permissions one request needs, in the order DynamoDB would check them; `undefined` when the request is
 * not one the twin knows how to authorize (not JSON, an unknown shape, or a PartiQL statement it cannot read).
 * @example
 * requiredPermissions('DynamoDB_20120810.UpdateItem', { TableName: 'T' }, { region: 'us-east-1', accountId: '0' })
 * // [{ action: 'dynamodb:UpdateItem', resource: 'arn:aws:dynamodb:us-east-1:0:table/T' }]
 */
export function requiredPermissions(
  target: string,
  body: unknown,
  ctx: ArnContext,
): Permission[] | undefined {
  if (!target.startsWith(DYNAMODB_TARGET_PREFIX) || !isObj(body)) return undefined;
  const op = target.slice(DYNAMODB_TARGET_PREFIX.length);
  const out: Permission[] = [];
  const add = (action: string, resource: string) => {
    if (!out.some((p) => p.action === action && p.resource === resource)) out.push({ action, resource });
  };
  switch (op) {
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const items = body['TransactItems'];
      if (!Array.isArray(items)) return undefined;
      for (const item of items) {
        if (!isObj(item)) return undefined;
        const [kind, spec] = Object.entries(item)[0] ?? [];
        const action =
          op === 'TransactGetItems'
            ? kind === 'Get'
              ? 'dynamodb:GetItem'
              : undefined
            : TRANSACT_WRITE.get(kind ?? '');
        if (!action || !isObj(spec) || typeof spec['TableName'] !== 'string') return undefined;
        add(action, tableArn(spec['TableName'], ctx));
      }
      return out;
    }
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = body['RequestItems'];
      if (!isObj(items)) return undefined;
      for (const table of Object.keys(items)) add(`dynamodb:${op}`, tableArn(table, ctx));
      return out;
    }
    case 'ExecuteStatement':
    case 'ExecuteTransaction':
    case 'BatchExecuteStatement': {
      const statements =
        op === 'ExecuteStatement'
          ? [body]
          : ((op === 'ExecuteTransaction' ? body['TransactStatements'] : body['Statements']) as unknown);
      if (!Array.isArray(statements)) return undefined;
      for (const st of statements) {
        if (!isObj(st) || typeof st['Statement'] !== 'string') return undefined;
        const p = partiqlPermission(st['Statement'], ctx);
        if (!p) return undefined;
        add(p.action, p.resource);
      }
      return out;
    }
    default: {
      if (NO_RESOURCE.has(op)) return [{ action: `dynamodb:${op}`, resource: '*' }];
      const arnParam = body['ResourceArn'] ?? body['BackupArn'];
      if (typeof arnParam === 'string') return [{ action: `dynamodb:${op}`, resource: arnParam }];
      const table = body['TableName'] ?? body['GlobalTableName'];
      if (typeof table !== 'string') return undefined;
      const arn =
        op === 'DescribeGlobalTable' || op === 'UpdateGlobalTable' || op === 'CreateGlobalTable'
          ? `arn:${ctx.partition ?? 'aws'}:dynamodb::${ctx.accountId}:global-table/${table}`
          : tableArn(table, ctx);
      const index =
        (op === 'Query' || op === 'Scan') && typeof body['IndexName'] === 'string'
          ? body['IndexName']
          : undefined;
      return [{ action: `dynamodb:${op}`, resource: index ? `${arn}/index/${index}` : arn }];
    }
  }
}
