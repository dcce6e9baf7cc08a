/**
 * The backfill function: no route, its own role that may only `Scan` the table and `UpdateItem` its items,
 * and its own log group. `npm run backfill` invokes it until the whole table is walked (`src/handlers/backfill.ts`).
 * Logical id `BackfillFunction`, which the twin's Lambda API accepts as a function name.
 * @module
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type Resource, shapeOf } from '../src/core/resource';
import type { ApiConfig } from './config';
import { ESM_REQUIRE_BANNER, PROJECT_ROOT } from './stack';

/** The backfill function's logical id (stable: the twin and `npm run backfill` name it). */
export const BACKFILL_LOGICAL_ID = 'BackfillFunction';
/** The backfill's entry, relative to the repository root. */
export const BACKFILL_ENTRY = 'src/handlers/backfill.ts';
/** The only actions the backfill needs, on the table itself (no index, no stream). */
export const BACKFILL_ACTIONS = ['dynamodb:Scan', 'dynamodb:UpdateItem'] as const;

/** Props of {@link Backfill}. */
export interface BackfillProps {
  readonly table: dynamodb.ITable;
  /** The declared resources, bundled in as their shapes (what the derived attributes come from). */
  readonly resources: readonly Resource[];
  /** Memory, log retention and source maps, as the API's functions have them. */
  readonly config: Pick<ApiConfig, 'memorySize' | 'logRetentionDays' | 'sourceMaps' | 'logLevel'>;
  /** @default PROJECT_ROOT */
  readonly projectRoot?: string;
  /** Of the log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** A function that rewrites stale or missing index attributes of existing items, started by hand. */
export class Backfill extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    const root = props.projectRoot ?? PROJECT_ROOT;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.config.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'crud-api backfill function',
    });
    logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...BACKFILL_ACTIONS], resources: [props.table.tableArn] }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${root}/${BACKFILL_ENTRY}`,
      handler: 'handler',
      description: 'Backfill of index attributes (npm run backfill)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.config.memorySize,
      // Each invocation stops after its maxSeconds (at most 840) and answers where to resume.
      timeout: Duration.minutes(15),
      role: this.role,
      logGroup,
      environment: {
        TABLE_NAME: props.table.tableName,
        POWERTOOLS_SERVICE_NAME: 'crud-api',
        POWERTOOLS_LOG_LEVEL: props.config.logLevel,
      },
      projectRoot: root,
      depsLockFilePath: `${root}/package-lock.json`,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: props.config.sourceMaps,
        target: 'node22',
        banner: ESM_REQUIRE_BANNER,
        define: { __RESOURCE_SHAPES__: JSON.stringify(JSON.stringify(props.resources.map(shapeOf))) },
        externalModules: [],
      },
    });
    (this.fn.node.defaultChild as lambda.CfnFunction).overrideLogicalId(BACKFILL_LOGICAL_ID);
  }
}
