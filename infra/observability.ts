/**
 * What an on-call person needs from the stack: CloudWatch alarms (optionally to SNS / e-mail), one dashboard,
 * the functions' EMF namespace, and X-Ray tracing when configured. Everything reads the constructs the stack
 * already built; nothing here changes how a request is served.
 * @module
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OpsConfig } from './ops-config';

/** Props of {@link Observability}. */
export interface ObservabilityProps {
  readonly config: OpsConfig;
  readonly stage: string;
  /** Every function, by a short name used in alarm and widget names (`get`, `authorizer`...). */
  readonly functions: ReadonlyMap<string, lambda.Function>;
  /** The functions that serve HTTP requests: they get the EMF namespace. */
  readonly httpFunctions: readonly lambda.Function[];
  readonly api: apigw.RestApi;
  readonly table: dynamodb.ITable;
  /** The stream consumer (its iterator age is alarmed on). */
  readonly streamConsumer: lambda.Function;
  /** The consumer's on-failure queue (any message in it is alarmed on). */
  readonly deadLetters: sqs.IQueue;
}

/** The DynamoDB operations the functions call: what the table's throttle and system-error alarms sum up. */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Alarms, an optional alarm topic, a dashboard, EMF namespace and optional X-Ray tracing. */
export class Observability extends Construct {
  /** Every alarm, by logical id. */
  readonly alarms: ReadonlyMap<string, cw.Alarm>;
  readonly dashboard: cw.Dashboard;
  /** Where alarms (and their recoveries) are sent: none unless an e-mail or a topic is configured. */
  readonly topics: readonly sns.ITopic[];

  private readonly props: ObservabilityProps;
  private readonly period: Duration;
  private readonly byId = new Map<string, cw.Alarm>();

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.props = props;
    const { config } = props;
    this.period = Duration.minutes(config.alarmPeriodMinutes);

    for (const fn of props.httpFunctions)
      fn.addEnvironment('POWERTOOLS_METRICS_NAMESPACE', config.metricsNamespace);
    if (config.tracing) this.enableTracing();

    this.addFunctionAlarms();
    this.addApiAlarms();
    this.addDataAlarms();
    this.alarms = this.byId;

    this.topics = this.alarmTopics();
    for (const topic of this.topics) {
      const action = new SnsAction(topic);
      for (const alarm of this.byId.values()) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
    this.dashboard = this.makeDashboard();
  }

  private alarm(id: string, metric: cw.IMetric, threshold: number, description: string): cw.Alarm {
    const alarm = new cw.Alarm(this, id, {
      alarmName: `crud-api-${this.props.stage}-${id}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is no data: an idle API is healthy.
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.byId.set(id, alarm);
    return alarm;
  }

  private addFunctionAlarms(): void {
    const period = this.period;
    const { config } = this.props;
    for (const [name, fn] of this.props.functions) {
      this.alarm(
        `${pascal(name)}Errors`,
        fn.metricErrors({ period, statistic: cw.Stats.SUM }),
        config.alarmFunctionErrors,
        `${name} function: invocations that failed (uncaught error, timeout, out of memory)`,
      );
      this.alarm(
        `${pascal(name)}Throttles`,
        fn.metricThrottles({ period, statistic: cw.Stats.SUM }),
        config.alarmFunctionThrottles,
        `${name} function: invocations refused for lack of concurrency`,
      );
    }
  }

  /** `IF(requests >= min, errors / requests * 100, 0)`: a rate that stays quiet on a handful of requests. */
  private errorRate(errors: cw.IMetric): cw.MathExpression {
    const stage = this.props.api.deploymentStage;
    return new cw.MathExpression({
      expression: `IF(requests >= ${this.props.config.alarmMinRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { errors, requests: stage.metricCount({ period: this.period, statistic: cw.Stats.SUM }) },
      period: this.period,
    });
  }

  private addApiAlarms(): void {
    const { config } = this.props;
    const stage = this.props.api.deploymentStage;
    const period = this.period;
    this.alarm(
      'Api5xxRate',
      this.errorRate(stage.metricServerError({ period, statistic: cw.Stats.SUM })),
      config.alarmApi5xxPercent,
      `API: percentage of requests answered 5xx (judged from ${config.alarmMinRequests} requests a period)`,
    );
    this.alarm(
      'Api4xxRate',
      this.errorRate(stage.metricClientError({ period, statistic: cw.Stats.SUM })),
      config.alarmApi4xxPercent,
      `API: percentage of requests answered 4xx, gateway 401/403/429 included (judged from ${config.alarmMinRequests} requests a period)`,
    );
    this.alarm(
      'ApiLatencyP99',
      stage.metricLatency({ period, statistic: cw.Stats.p(99) }),
      config.alarmLatencyP99Ms,
      'API: p99 of the time from request to response at the gateway, in ms',
    );
  }

  private addDataAlarms(): void {
    const { config, table } = this.props;
    const period = this.period;
    this.alarm(
      'TableThrottles',
      table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period }),
      config.alarmDynamoThrottles,
      'DynamoDB: requests throttled (clients get 503 + Retry-After after the retries)',
    );
    this.alarm(
      'TableSystemErrors',
      table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period }),
      config.alarmDynamoSystemErrors,
      'DynamoDB: requests that failed inside DynamoDB (HTTP 500)',
    );
    this.alarm(
      'HistoryIteratorAge',
      this.props.streamConsumer.metric('IteratorAge', { period, statistic: cw.Stats.MAXIMUM }),
      config.alarmIteratorAgeSeconds * 1000,
      'History consumer: age of the last stream record read, in ms (history lags behind the table)',
    );
    const dlq = new cw.Alarm(this, 'HistoryDeadLetters', {
      alarmName: `crud-api-${this.props.stage}-HistoryDeadLetters`,
      alarmDescription: 'History consumer: stream batches it gave up on wait in the on-failure queue',
      metric: this.props.deadLetters.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: cw.Stats.MAXIMUM,
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.byId.set('HistoryDeadLetters', dlq);
  }

  /** The configured destinations: a new topic with the e-mail subscription, an existing topic, or both. */
  private alarmTopics(): sns.ITopic[] {
    const { config } = this.props;
    const topics: sns.ITopic[] = [];
    if (config.alarmEmail) {
      const topic = new sns.Topic(this, 'AlarmTopic', {
        displayName: `crud-api ${this.props.stage} alarms`,
        enforceSSL: true,
      });
      topic.addSubscription(new subs.EmailSubscription(config.alarmEmail));
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed aws/sns key, and a customer managed key costs $1/month for notifications that carry no data.',
      });
      topics.push(topic);
    }
    if (config.alarmTopicArn)
      topics.push(sns.Topic.fromTopicArn(this, 'ExistingAlarmTopic', config.alarmTopicArn));
    return topics;
  }

  private enableTracing(): void {
    for (const fn of this.props.functions.values()) {
      (fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: 'Active' };
      const role = fn.role as iam.Role;
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      );
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permission; AWS documents "*" for them (AWSXRayDaemonWriteAccess).',
      });
    }
    const stage = this.props.api.deploymentStage.node.defaultChild as apigw.CfnStage;
    stage.tracingEnabled = true;
  }

  private makeDashboard(): cw.Dashboard {
    const { api, table, streamConsumer, deadLetters, stage } = this.props;
    const s = api.deploymentStage;
    const period = this.period;
    const fns = [...this.props.functions];
    const perFunction = (f: (fn: lambda.Function) => cw.IMetric) =>
      fns.map(([name, fn]) => (f(fn) as cw.Metric).with({ label: name }));
    const dashboard = new cw.Dashboard(this, 'Dashboard', {
      // Dashboards are global to the account: the region keeps one stage in two regions from colliding.
      dashboardName: `crud-api-${stage}-${Aws.REGION}`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cw.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.byId.values()], width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'API requests, 4xx, 5xx',
        left: [
          s.metricCount({ period, statistic: cw.Stats.SUM, label: 'requests' }),
          s.metricClientError({ period, statistic: cw.Stats.SUM, label: '4xx' }),
          s.metricServerError({ period, statistic: cw.Stats.SUM, label: '5xx' }),
        ],
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'API latency (ms)',
        left: [
          s.metricLatency({ period, statistic: cw.Stats.p(50), label: 'p50' }),
          s.metricLatency({ period, statistic: cw.Stats.p(99), label: 'p99' }),
          s.metricIntegrationLatency({ period, statistic: cw.Stats.p(99), label: 'integration p99' }),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Function errors',
        left: perFunction((fn) => fn.metricErrors({ period, statistic: cw.Stats.SUM })),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Function throttles',
        left: perFunction((fn) => fn.metricThrottles({ period, statistic: cw.Stats.SUM })),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Function duration p99 (ms)',
        left: perFunction((fn) => fn.metricDuration({ period, statistic: cw.Stats.p(99) })),
        width: 8,
      }),
    );
    dashboard.addWidgets(
      // One widget each: both expressions name their per-operation metrics alike, which a graph forbids.
      new cw.GraphWidget({
        title: 'DynamoDB throttled requests',
        left: [table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period })],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'DynamoDB system errors',
        left: [table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period })],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'DynamoDB consumed capacity',
        left: [
          table.metricConsumedReadCapacityUnits({ period, statistic: cw.Stats.SUM, label: 'read' }),
          table.metricConsumedWriteCapacityUnits({ period, statistic: cw.Stats.SUM, label: 'write' }),
        ],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'History: iterator age (ms) and dead letters',
        left: [streamConsumer.metric('IteratorAge', { period, statistic: cw.Stats.MAXIMUM })],
        right: [
          deadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: cw.Stats.MAXIMUM }),
        ],
        width: 8,
      }),
    );
    return dashboard;
  }
}
