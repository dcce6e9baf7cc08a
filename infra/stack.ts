/**
 * The stack: one DynamoDB table, one function per operation plus the JWT authorizer, and a REST API in front.
 * Routes, functions, IAM actions and indexes are all derived from `src/handlers/operations.ts` and
 * `src/resources`, so there is no second list here.
 *
 * Logical ids a reader (the offline twin, a reviewer) can rely on: the table is `Table`, the functions are
 * `<Operation>Function` (`CreateFunction`, ..., `DeleteFunction`) and `AuthorizerFunction`, the secret is
 * `CursorSecret`; each CRUD function also has `OPERATION=<name>` in its environment.
 * @module
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Annotations,
  App,
  type AppProps,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { CORS_EXPOSE_HEADERS } from '../src/core/http';
import { type Resource, shapeOf } from '../src/core/resource';
import {
  authorizerEntry,
  type Operation,
  type OperationName,
  operations,
  streamConsumer,
} from '../src/handlers/operations';
import { resources } from '../src/resources/index';
import { indexesFor, PK, SK, TTL_ATTRIBUTE } from '../src/store/table-design';
import { Backfill } from './backfill';
import { type ApiConfig, type ConfigWarning, loadConfig } from './config';
import { refusePlaceholderIssuer } from './deploy-guard';
import { acknowledgeNagFindings, addNagChecks } from './nag';
import { Observability } from './observability';
import { loadOpsConfig, type OpsConfig } from './ops-config';

/** The repository root: handler entries in `operations` are relative to it. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Headers a browser may send (preflight `Access-Control-Allow-Headers`). */
export const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'Authorization',
  'X-Api-Key',
  'If-Match',
  'If-None-Match',
  'Idempotency-Key',
] as const;
/** Response headers a browser may read: the functions' own list (src/core/http.ts), so the two never differ. */
export { CORS_EXPOSE_HEADERS };

/** Stable CloudFormation output names. */
export const OUTPUTS = {
  apiUrl: 'ApiUrl',
  apiKeyId: 'ApiKeyId',
  tableName: 'TableName',
  historyDeadLetters: 'HistoryDeadLettersUrl',
  backfillFunction: 'BackfillFunctionName',
} as const;

/**
 * `aws4` is CommonJS; in an ESM bundle its `require('crypto')` calls need a real `require`. esbuild's shim
 * looks for a global one, which this banner provides.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Every function of the stack: the operations, the authorizer and the change-history consumer. */
export type FunctionName = OperationName | 'authorizer' | 'historyConsumer';

/** `CreateFunction`, `AuthorizerFunction`: the logical id of a function. */
export function functionLogicalId(name: FunctionName): string {
  return `${pascal(name)}Function`;
}

// ---------------------------------------------------------------------------------------------------------------

/** Props of {@link DataTable}. */
export interface DataTableProps {
  /** The declared resources; the table's GSIs are `indexesFor(resources)`. */
  readonly resources: readonly Resource[];
  /** @default false */
  readonly deletionProtection?: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The single table: keys, TTL, stream and indexes from `src/store/table-design.ts`. */
export class DataTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);
    // `Table`, not `TableV2`: the offline twin emulates AWS::DynamoDB::Table.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: PK, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SK, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-owned key (the default): data is still AES-256 encrypted at rest, at no cost and with no KMS
      // request quota or latency. AWS_MANAGED would add KMS charges and only buys CloudTrail records of key use;
      // switch to CUSTOMER_MANAGED if a compliance regime needs key control.
      encryption: dynamodb.TableEncryption.DEFAULT,
      deletionProtection: props.deletionProtection ?? false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    for (const ix of indexesFor(props.resources)) {
      this.table.addGlobalSecondaryIndex({
        indexName: ix.name,
        partitionKey: { name: ix.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: ix.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    // A stable logical id: the table holds the data, so a refactor of this construct must never replace it.
    (this.table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId('Table');
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Props of {@link ApiFunctions}. */
export interface ApiFunctionsProps {
  readonly operations: readonly Operation[];
  readonly table: dynamodb.ITable;
  readonly config: ApiConfig;
  /**
   * The declared resources: their shapes (no schemas; plans where the schemas have them) are bundled into
   * every function as `__RESOURCE_SHAPES__` (see `src/resources/shapes.ts` and `validated.ts`).
   */
  readonly resources: readonly Resource[];
  /** Repository root; entries are relative to it. @default PROJECT_ROOT */
  readonly projectRoot?: string;
  /** Removal policy of the log groups and the cursor secret. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** One bundled function per operation, plus the authorizer; each with its own role and log group. */
export class ApiFunctions extends Construct {
  /** The function of each operation. */
  readonly byOperation: ReadonlyMap<OperationName, NodejsFunction>;
  readonly authorizer: NodejsFunction;
  /** The change-history consumer (DynamoDB stream -> history entries). */
  readonly historyConsumer: NodejsFunction;
  /** Where stream batches that keep failing end up, for inspection and redrive. */
  readonly historyDeadLetters: sqs.Queue;
  /** The role of each operation's function. */
  readonly roles: ReadonlyMap<OperationName, iam.Role>;
  /** HMAC key for pagination cursors. */
  readonly cursorSecret: secretsmanager.Secret;

  private readonly props: ApiFunctionsProps;

  constructor(scope: Construct, id: string, props: ApiFunctionsProps) {
    super(scope, id);
    this.props = props;
    const { config, table } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'HMAC key that signs pagination cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    (this.cursorSecret.node.defaultChild as secretsmanager.CfnSecret).overrideLogicalId('CursorSecret');

    const common: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: 'crud-api',
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      ...(config.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    };

    const byOperation = new Map<OperationName, NodejsFunction>();
    const roles = new Map<OperationName, iam.Role>();
    for (const op of props.operations) {
      const { fn, role } = this.makeFunction(op.name, op.entry, `${op.method} ${op.path}: ${op.name}`, {
        ...common,
        OPERATION: op.name,
        TABLE_NAME: table.tableName,
        // The functions add Access-Control-Allow-Origin (and Expose-Headers) to their own responses.
        ALLOWED_ORIGINS: config.corsOrigins.join(','),
        // The cursor HMAC key goes in as a CloudFormation dynamic reference ({{resolve:secretsmanager:...}}):
        // resolved at deploy time, so no Secrets Manager call (or SDK) at runtime. Rotation would only
        // invalidate the cursors clients hold, so the key is stable and rotated by redeploying.
        ...(op.usesCursorSecret ? { CURSOR_SECRET: this.cursorSecret.secretValue.unsafeUnwrap() } : {}),
      });
      // Least privilege: exactly the operation's actions, on the table; `Query` also on its indexes.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...op.actions], resources: [table.tableArn] }),
      );
      if (op.actions.includes('dynamodb:Query')) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/*`] }),
        );
      }
      byOperation.set(op.name, fn);
      roles.set(op.name, role);
    }
    this.byOperation = byOperation;
    this.roles = roles;

    // The authorizer has no table access and no secret: it only verifies JWTs against the issuer's JWKS.
    this.authorizer = this.makeFunction('authorizer', authorizerEntry, 'JWT REQUEST authorizer', {
      ...common,
      JWT_ISSUER: config.jwtIssuer,
      JWT_AUDIENCE: config.jwtAudience,
      JWKS_URL: config.jwksUrl,
      JWT_MAX_LIFETIME_SECONDS: String(config.jwtMaxLifetimeSeconds),
      TENANT_CLAIM: config.tenantClaim,
    }).fn;

    // The change-history consumer: reads the table's stream (item records only), writes history entries.
    const consumer = this.makeFunction(
      'historyConsumer',
      streamConsumer.entry,
      'DynamoDB stream: item history',
      {
        ...common,
        TABLE_NAME: table.tableName,
      },
    );
    consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...streamConsumer.actions], resources: [table.tableArn] }),
    );
    this.historyConsumer = consumer.fn;
    this.historyDeadLetters = new sqs.Queue(this, 'HistoryDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    (this.historyDeadLetters.node.defaultChild as sqs.CfnQueue).overrideLogicalId('HistoryDeadLetters');
    consumer.fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        // No batching window: the history should appear within a second of the write.
        maxBatchingWindow: Duration.seconds(0),
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.historyDeadLetters),
        // Item records only: history entries, deletion records and idempotency records are not changes.
        filters: [
          lambda.FilterCriteria.filter({
            dynamodb: { NewImage: { _type: { S: lambda.FilterRule.isEqual('item') } } },
          }),
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('REMOVE'),
            dynamodb: { OldImage: { _type: { S: lambda.FilterRule.isEqual('item') } } },
          }),
        ],
      }),
    );
  }

  private makeFunction(
    name: FunctionName,
    entry: string,
    description: string,
    environment: Record<string, string>,
  ): { fn: NodejsFunction; role: iam.Role } {
    const { config } = this.props;
    const root = this.props.projectRoot ?? PROJECT_ROOT;
    const id = pascal(name);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: this.props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Our own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole (logs on
    // every log group of the account); this one may only write to the function's own log group.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `crud-api ${name} function`,
    });
    logGroup.grantWrite(role);

    const fn = new NodejsFunction(this, id, {
      entry: join(root, entry),
      handler: 'handler',
      description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: config.memorySize,
      timeout: Duration.seconds(config.timeoutSeconds),
      ...(config.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: config.reservedConcurrency }),
      role,
      logGroup,
      environment,
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      bundling: {
        // Local esbuild, never Docker.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: config.sourceMaps,
        ...(config.sourceMaps ? { sourceMapMode: SourceMapMode.DEFAULT, sourcesContent: false } : {}),
        // node22 rather than node24: the offline twin runs these bundles on the developer's Node.
        target: 'node22',
        banner: ESM_REQUIRE_BANNER,
        // The functions take the resources' shapes from here instead of loading the schemas' validator; the
        // write functions too when every schema has a plan (src/resources/validated.ts).
        define: {
          __RESOURCE_SHAPES__: JSON.stringify(JSON.stringify(this.props.resources.map(shapeOf))),
          ...(this.props.resources.every((r) => r.plan) ? { __RESOURCE_PLANS_COMPLETE__: '"yes"' } : {}),
        },
        // Bundle everything: no @aws-sdk at runtime (DynamoDB is called with aws4-signed fetch).
        externalModules: [],
      },
    });
    (fn.node.defaultChild as lambda.CfnFunction).overrideLogicalId(functionLogicalId(name));
    return { fn, role };
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Props of {@link CrudRestApi}. */
export interface CrudRestApiProps {
  readonly resources: readonly Resource[];
  readonly operations: readonly Operation[];
  readonly functions: ApiFunctions;
  readonly config: ApiConfig;
  /** Removal policy of the access log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The REST API: routes, authorizer, API key and usage plan, CORS, logging, throttling and optional WAF. */
export class CrudRestApi extends Construct {
  readonly api: apigw.RestApi;
  readonly apiKey: apigw.IApiKey;
  readonly usagePlan: apigw.UsagePlan;
  /** Every method that serves data (not the CORS preflights). */
  readonly dataMethods: readonly apigw.Method[];
  /** The OPTIONS methods added for CORS preflight. */
  readonly preflightMethods: readonly apigw.Method[];
  readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: CrudRestApiProps) {
    super(scope, id);
    const { config, functions } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy,
    });
    const F = apigw.AccessLogField;
    const accessLogFormat = apigw.AccessLogFormat.custom(
      JSON.stringify({
        requestId: F.contextRequestId(),
        requestTime: F.contextRequestTime(),
        ip: F.contextIdentitySourceIp(),
        userAgent: F.contextIdentityUserAgent(),
        method: F.contextHttpMethod(),
        resourcePath: F.contextResourcePath(),
        path: F.contextPath(),
        protocol: F.contextProtocol(),
        status: F.contextStatus(),
        responseLength: F.contextResponseLength(),
        responseLatency: F.contextResponseLatency(),
        integrationLatency: F.contextIntegrationLatency(),
        integrationStatus: F.contextIntegrationStatus(),
        apiKeyId: F.contextIdentityApiKeyId(),
        principalId: F.contextAuthorizerPrincipalId(),
        tenant: F.contextAuthorizer('tenant'),
        authorizerStatus: F.contextAuthorizerStatus(),
        authorizerError: F.contextAuthorizerError(),
        errorType: F.contextErrorResponseType(),
        errorMessage: F.contextErrorMessageString(),
      }),
    );

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `crud-api-${config.stage}`,
      description: `CRUD API (${config.stage})`,
      // Regional: clients call it directly; an edge-optimized API adds a CloudFront hop we do not need.
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        metricsEnabled: true,
        // Rendered as the stage's '/*/*' method settings: every method of the stage shares this limit.
        throttlingRateLimit: config.throttleRate,
        throttlingBurstLimit: config.throttleBurst,
      },
      // Request validation: deliberately no gateway body models. The functions validate against the same zod
      // schema that declares the resource and answer RFC 9457 problem+json naming each field by JSON Pointer;
      // a gateway model would be a second copy that drifts, with worse error bodies.
    });
    // RestApi adds an `Endpoint<hash>` output; ours is the stable `ApiUrl` below.
    this.api.node.tryRemoveChild('Endpoint');

    // Browsers must be able to read gateway-made errors (401 no token, 403 bad key or denied, 429 throttled).
    // One configured origin is echoed as is; with several, gateway responses cannot pick one per request
    // (no VTL there), so they say '*': these bodies carry no data and we never use cookies (credentials).
    const allowOrigin = config.corsOrigins.length === 1 ? config.corsOrigins[0]! : '*';
    const corsResponseHeaders = {
      'Access-Control-Allow-Origin': `'${allowOrigin}'`,
      'Access-Control-Allow-Headers': `'${CORS_ALLOW_HEADERS.join(',')}'`,
      'Access-Control-Expose-Headers': `'${CORS_EXPOSE_HEADERS.join(',')}'`,
      Vary: "'Origin'",
    };
    this.api.addGatewayResponse('Default4xx', {
      type: apigw.ResponseType.DEFAULT_4XX,
      responseHeaders: corsResponseHeaders,
    });
    this.api.addGatewayResponse('Default5xx', {
      type: apigw.ResponseType.DEFAULT_5XX,
      responseHeaders: corsResponseHeaders,
    });

    const authorizer = new apigw.RequestAuthorizer(this, 'JwtAuthorizer', {
      authorizerName: 'jwt',
      handler: functions.authorizer,
      identitySources: [apigw.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(300),
    });

    const corsPreflight: apigw.CorsOptions = {
      allowOrigins: [...config.corsOrigins],
      allowMethods: [...new Set(props.operations.map((o) => o.method)), 'OPTIONS'],
      allowHeaders: [...CORS_ALLOW_HEADERS],
      exposeHeaders: [...CORS_EXPOSE_HEADERS],
      maxAge: Duration.hours(1),
    };

    // One integration per function, shared by every resource: the handler finds its resource from
    // `event.resource`. Permissions stay scoped to each method; no test-invoke permission (it skips auth).
    const integrations = new Map<OperationName, apigw.LambdaIntegration>();
    for (const op of props.operations) {
      const fn = functions.byOperation.get(op.name);
      if (!fn) throw new Error(`no function for operation ${op.name}`);
      integrations.set(op.name, new apigw.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }));
    }

    const dataMethods: apigw.Method[] = [];
    const preflightMethods: apigw.Method[] = [];
    for (const r of props.resources) {
      const collection = this.api.root.addResource(r.name, { defaultCorsPreflightOptions: corsPreflight });
      const item = collection.addResource('{id}');
      const history = props.operations.some((o) => o.path === 'history')
        ? item.addResource('history')
        : undefined;
      for (const op of props.operations) {
        const target = op.path === 'collection' ? collection : op.path === 'item' ? item : history!;
        dataMethods.push(
          target.addMethod(op.method, integrations.get(op.name)!, {
            apiKeyRequired: true,
            authorizer,
            authorizationType: apigw.AuthorizationType.CUSTOM,
          }),
        );
      }
    }
    for (const c of this.api.root.node.findAll()) {
      if (c instanceof apigw.Method && c.httpMethod === 'OPTIONS') preflightMethods.push(c);
    }
    this.dataMethods = dataMethods;
    this.preflightMethods = preflightMethods;

    this.apiKey = this.api.addApiKey('ApiKey', { description: `crud-api ${config.stage} default key` });
    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      name: `crud-api-${config.stage}`,
      throttle: { rateLimit: config.throttleRate, burstLimit: config.throttleBurst },
      quota: { limit: config.quotaLimit, period: apigw.Period[config.quotaPeriod] },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    this.usagePlan.addApiKey(this.apiKey);

    if (config.wafEnabled) {
      const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
        cloudWatchMetricsEnabled: true,
        metricName,
        sampledRequestsEnabled: true,
      });
      this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        visibilityConfig: visibility(`crud-api-${config.stage}`),
        rules: [
          {
            name: 'AWSManagedRulesCommonRuleSet',
            priority: 0,
            overrideAction: { none: {} },
            statement: {
              managedRuleGroupStatement: {
                vendorName: 'AWS',
                name: 'AWSManagedRulesCommonRuleSet',
                // The set blocks bodies over 8 KB; the functions enforce their own MAX_BODY_BYTES (100 KB)
                // with a proper 413, and valid notes can exceed 8 KB. Count instead of block.
                ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
              },
            },
            visibilityConfig: visibility('common-rule-set'),
          },
          {
            name: 'RateLimitPerIp',
            priority: 1,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: config.wafRateLimit, aggregateKeyType: 'IP' } },
            visibilityConfig: visibility('rate-limit-per-ip'),
          },
        ],
      });
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: this.webAcl.attrArn,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Props of {@link CrudApiStack}. */
export interface CrudApiStackProps extends StackProps {
  readonly config: ApiConfig;
  /** Configuration warnings, shown as annotations `crud-api:<id>`. @default [] */
  readonly configWarnings?: readonly ConfigWarning[];
  /** @default resources (src/resources) */
  readonly resources?: readonly Resource[];
  /** @default operations (src/handlers/operations.ts) */
  readonly operations?: readonly Operation[];
  /** Repository root. @default PROJECT_ROOT */
  readonly projectRoot?: string;
  /** Alarms, tracing, metrics namespace, deploy guard. @default loadOpsConfig with no context */
  readonly ops?: OpsConfig;
}

/** The whole API in one stack. */
export class CrudApiStack extends Stack {
  readonly table: dynamodb.Table;
  readonly functions: ApiFunctions;
  readonly restApi: CrudRestApi;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: CrudApiStackProps) {
    super(scope, id, { description: `Serverless CRUD API (${props.config.stage})`, ...props });
    const { config } = props;
    const declared = props.resources ?? resources;
    const ops = props.operations ?? operations;
    // Outside prod everything can go on destroy; in prod the data, its key and the logs stay.
    const removalPolicy = config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    for (const w of props.configWarnings ?? [])
      Annotations.of(this).addWarningV2(`crud-api:${w.id}`, w.message);
    Tags.of(this).add('app', 'crud-api');
    Tags.of(this).add('stage', config.stage);

    this.table = new DataTable(this, 'Data', {
      resources: declared,
      deletionProtection: config.deletionProtection,
      removalPolicy,
    }).table;
    this.functions = new ApiFunctions(this, 'Functions', {
      operations: ops,
      table: this.table,
      config,
      resources: declared,
      removalPolicy,
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    this.restApi = new CrudRestApi(this, 'Http', {
      resources: declared,
      operations: ops,
      functions: this.functions,
      config,
      removalPolicy,
    });

    const opsConfig = props.ops ?? loadOpsConfig({ context: () => undefined, env: {}, stage: config.stage });
    refusePlaceholderIssuer(this, config, opsConfig.allowPlaceholderIssuer);
    this.observability = new Observability(this, 'Observability', {
      config: opsConfig,
      stage: config.stage,
      functions: new Map<string, lambda.Function>([
        ...this.functions.byOperation,
        ['authorizer', this.functions.authorizer],
        ['historyConsumer', this.functions.historyConsumer],
      ]),
      httpFunctions: [...this.functions.byOperation.values()],
      api: this.restApi.api,
      table: this.table,
      streamConsumer: this.functions.historyConsumer,
      deadLetters: this.functions.historyDeadLetters,
    });

    new CfnOutput(this, OUTPUTS.apiUrl, {
      value: this.restApi.api.url,
      description: 'Base URL of the stage',
    });
    new CfnOutput(this, OUTPUTS.apiKeyId, {
      value: this.restApi.apiKey.keyId,
      description: 'aws apigateway get-api-key --api-key <id> --include-value',
    });
    new CfnOutput(this, OUTPUTS.tableName, { value: this.table.tableName });
    new CfnOutput(this, OUTPUTS.historyDeadLetters, {
      value: this.functions.historyDeadLetters.queueUrl,
      description: 'Stream batches the history consumer could not process',
    });
    // Existing items into new or changed indexes: no route, started by npm run backfill (docs/deploy.md).
    const backfill = new Backfill(this, 'Backfill', {
      table: this.table,
      resources: declared,
      config,
      removalPolicy,
    });
    new CfnOutput(this, OUTPUTS.backfillFunction, {
      value: backfill.fn.functionName,
      description: 'npm run backfill -- --function <this> --region <region>',
    });

    acknowledgeNagFindings({
      stack: this,
      api: this.restApi.api,
      queryRoles: ops
        .filter((o) => o.actions.includes('dynamodb:Query'))
        .map((o) => this.functions.roles.get(o.name)!),
      tableArnToken: '<Table.Arn>',
      cursorSecret: this.functions.cursorSecret,
      dataMethods: this.restApi.dataMethods,
      wafEnabled: config.wafEnabled,
      streamConsumerRole: this.functions.historyConsumer.role!,
      deadLetterQueue: this.functions.historyDeadLetters,
    });
  }
}

/**
 * The feature flags (from the `cdk init` set) that change this stack's template. They are set here rather than in
 * `cdk.json` because the offline twin runs this app without the CLI, and the CLI is what reads `cdk.json`: this
 * way every path synthesizes the same template. Context given on the command line still wins.
 */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = {
  // `secretValue` must be unwrapped explicitly (we do, for CURSOR_SECRET), so no secret leaks by accident.
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
  // Merge policy statements: smaller policies, same grants.
  '@aws-cdk/aws-iam:minimizePolicies': true,
  // No account-level CloudWatch role unless asked (we ask, with cloudWatchRole: true).
  '@aws-cdk/aws-apigateway:disableCloudWatchRole': true,
  // Redeploy the stage when the authorizer changes, or the change never reaches clients.
  '@aws-cdk/aws-apigateway:authorizerChangeDeploymentLogicalId': true,
  '@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard': true,
  '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true,
};

/** The stack's name for a stage: `CrudApi-dev`, `CrudApi-prod`, `CrudApi-local`. */
export function stackName(stage: string): string {
  return `CrudApi-${stage}`;
}

/**
 * Builds the app the CLI, the tests and the offline twin synthesize: configuration from context (or env),
 * the stack, and the cdk-nag AwsSolutions checks. Throws `ConfigError` on bad configuration.
 */
export function createApp(props: AppProps = {}, env?: Readonly<Record<string, string | undefined>>) {
  const app = new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
  const { config, warnings } = loadConfig({
    context: (k) => app.node.tryGetContext(k),
    ...(env ? { env } : {}),
  });
  const ops = loadOpsConfig({
    context: (k) => app.node.tryGetContext(k),
    ...(env ? { env } : {}),
    stage: config.stage,
  });
  const stack = new CrudApiStack(app, stackName(config.stage), { config, configWarnings: warnings, ops });
  addNagChecks(app);
  return { app, stack, config };
}
