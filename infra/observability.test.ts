import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../src/handlers/operations';
import { ConfigError } from './config';
import { loadOpsConfig } from './ops-config';
import { createApp, functionLogicalId, PROJECT_ROOT } from './stack';

// biome-ignore lint/suspicious/noExplicitAny: a synthesized template is untyped JSON; tests read it by path.
type Json = any;
type Res = { Type: string; Properties: Record<string, Json> };

/** Synthesizes without bundling (the stack test covers it) and with config from `context` only. */
function synth(context: Record<string, unknown>, env: Record<string, string> = {}) {
  const { app, stack } = createApp(
    {
      outdir: mkdtempSync(join(tmpdir(), 'crud-api-obs-')),
      context: { 'aws:cdk:bundling-stacks': [], ...context },
      builtinCloudFormationValidation: false,
    },
    env,
  );
  app.synth();
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as { Resources: Record<string, Res> } };
}

const ALL_FUNCTIONS = [...operations.map((o) => o.name), 'authorizer', 'historyConsumer'];
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const alarms = (t: { Resources: Record<string, Res> }) =>
  Object.values(t.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
const alarmNamed = (t: { Resources: Record<string, Res> }, suffix: string) => {
  const found = alarms(t).filter((a) => String(a.Properties.AlarmName).endsWith(`-${suffix}`));
  expect(found, suffix).toHaveLength(1);
  return found[0]!.Properties;
};
/** The threshold an alarm compares its expression with, and the expression text (for rate alarms). */
const expressionOf = (p: Json): string => (p.Metrics as Json[]).find((m) => m.Expression)?.Expression ?? '';

describe('Observability: default configuration (stage dev)', () => {
  let s: ReturnType<typeof synth>;
  beforeAll(() => {
    s = synth({ allowPlaceholderIssuer: 'true' });
  });

  it('alarms on errors and throttles of every function, at 1 per 5 minutes', () => {
    for (const name of ALL_FUNCTIONS) {
      for (const kind of ['Errors', 'Throttles']) {
        const p = alarmNamed(s.json, `${pascal(name)}${kind}`);
        expect(p).toMatchObject({
          MetricName: kind,
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
        expect(p.Dimensions[0].Value).toEqual({ Ref: functionLogicalId(name as never) });
      }
    }
  });

  it('alarms on the API 5xx and 4xx rates (from 20 requests), and on p99 latency', () => {
    const r5 = alarmNamed(s.json, 'Api5xxRate');
    expect(r5.Threshold).toBe(1);
    expect(expressionOf(r5)).toBe('IF(requests >= 20, 100 * errors / requests, 0)');
    expect(JSON.stringify(r5.Metrics)).toContain('"MetricName":"5XXError"');
    const r4 = alarmNamed(s.json, 'Api4xxRate');
    expect(r4.Threshold).toBe(25);
    expect(JSON.stringify(r4.Metrics)).toContain('"MetricName":"4XXError"');
    const p99 = alarmNamed(s.json, 'ApiLatencyP99');
    expect(p99).toMatchObject({ MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 1000 });
    expect(p99.Dimensions.map((d: Json) => d.Name).sort()).toEqual(['ApiName', 'Stage']);
  });

  it('alarms on DynamoDB throttles and system errors, stream iterator age and any dead letter', () => {
    const throttles = alarmNamed(s.json, 'TableThrottles');
    expect(JSON.stringify(throttles.Metrics)).toContain('ThrottledRequests');
    expect(throttles.Threshold).toBe(1);
    expect(JSON.stringify(alarmNamed(s.json, 'TableSystemErrors').Metrics)).toContain('SystemErrors');
    expect(alarmNamed(s.json, 'HistoryIteratorAge')).toMatchObject({
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 300_000,
    });
    expect(alarmNamed(s.json, 'HistoryDeadLetters')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('sends alarms nowhere unless a destination is configured', () => {
    for (const a of alarms(s.json)) expect(a.Properties.AlarmActions).toBeUndefined();
    s.template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('has a dashboard with the alarms, API, functions, table and history graphs', () => {
    const [dash] = Object.values(s.json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dash?.Properties.DashboardName).toEqual({
      'Fn::Join': ['', ['crud-api-dev-', { Ref: 'AWS::Region' }]],
    });
    const body = JSON.stringify(dash?.Properties.DashboardBody);
    for (const title of [
      'Alarms',
      'API requests, 4xx, 5xx',
      'API latency (ms)',
      'Function errors',
      'DynamoDB throttled requests',
      'DynamoDB system errors',
      'History: iterator age (ms) and dead letters',
    ])
      expect(body).toContain(title);
  });

  it('leaves X-Ray tracing off', () => {
    for (const name of ALL_FUNCTIONS)
      expect(s.json.Resources[functionLogicalId(name as never)]!.Properties.TracingConfig).toBeUndefined();
    const [stage] = Object.values(s.json.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Stage');
    expect(stage?.Properties.TracingEnabled).toBeUndefined();
    expect(JSON.stringify(s.json.Resources)).not.toContain('xray:');
  });

  it('gives the HTTP functions the EMF namespace CrudApi/<stage>, and no other function', () => {
    for (const name of ALL_FUNCTIONS) {
      const vars = s.json.Resources[functionLogicalId(name as never)]!.Properties.Environment.Variables;
      const http = operations.some((o) => o.name === name);
      expect(vars.POWERTOOLS_METRICS_NAMESPACE, name).toBe(http ? 'CrudApi/dev' : undefined);
    }
    // The name the functions read (src/handlers/metrics.ts).
    expect(readFileSync(join(PROJECT_ROOT, 'src/handlers/metrics.ts'), 'utf8')).toContain(
      'process.env.POWERTOOLS_METRICS_NAMESPACE',
    );
  });

  it('is environment-agnostic, so the CLI deploys to AWS_REGION (then AWS_DEFAULT_REGION, then the profile)', () => {
    expect(Token.isUnresolved(s.stack.region)).toBe(true);
    expect(Token.isUnresolved(s.stack.account)).toBe(true);
  });
});

describe('Observability: configured (alarm e-mail and topic, thresholds, tracing on)', () => {
  let s: ReturnType<typeof synth>;
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:pager';
  beforeAll(() => {
    s = synth({
      stage: 'prod',
      jwtIssuer: 'https://issuer.example.com',
      jwtAudience: 'aud',
      alarmEmail: 'oncall@example.com',
      alarmTopicArn: topicArn,
      alarmPeriodMinutes: '1',
      alarmFunctionErrors: '3',
      alarmApi5xxPercent: '2.5',
      alarmMinRequests: '50',
      alarmLatencyP99Ms: '800',
      alarmIteratorAgeSeconds: '60',
      tracing: 'true',
      metricsNamespace: 'Acme/Crud',
    });
  });

  it('uses the configured thresholds and period', () => {
    expect(alarmNamed(s.json, 'GetErrors')).toMatchObject({ Threshold: 3, Period: 60 });
    const r5 = alarmNamed(s.json, 'Api5xxRate');
    expect(r5.Threshold).toBe(2.5);
    expect(expressionOf(r5)).toContain('requests >= 50');
    expect(alarmNamed(s.json, 'ApiLatencyP99').Threshold).toBe(800);
    expect(alarmNamed(s.json, 'HistoryIteratorAge').Threshold).toBe(60_000);
  });

  it('sends every alarm and its recovery to the e-mail topic and the existing topic', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    const topicId = Object.entries(s.json.Resources).find(([, r]) => r.Type === 'AWS::SNS::Topic')?.[0];
    const all = alarms(s.json);
    expect(all.length).toBe(ALL_FUNCTIONS.length * 2 + 7);
    for (const a of all) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }, topicArn]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topicId }, topicArn]);
    }
  });

  it('turns on active tracing on every function and the stage, with the X-Ray write grant', () => {
    for (const name of ALL_FUNCTIONS)
      expect(s.json.Resources[functionLogicalId(name as never)]!.Properties.TracingConfig).toEqual({
        Mode: 'Active',
      });
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    // Per role (policies may merge statements): X-Ray writes on "*", as they allow no narrower resource.
    const xrayOnStar = new Set<string>();
    for (const r of Object.values(s.json.Resources)) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      for (const st of r.Properties.PolicyDocument.Statement) {
        const actions = [st.Action].flat();
        if (
          st.Resource === '*' &&
          actions.includes('xray:PutTraceSegments') &&
          actions.includes('xray:PutTelemetryRecords')
        )
          for (const role of r.Properties.Roles) xrayOnStar.add(role.Ref);
      }
    }
    for (const name of ALL_FUNCTIONS) {
      const role = s.json.Resources[functionLogicalId(name as never)]!.Properties.Role['Fn::GetAtt'][0];
      expect(xrayOnStar.has(role), name).toBe(true);
    }
  });

  it('uses the configured metrics namespace', () => {
    const vars = s.json.Resources[functionLogicalId('list')]!.Properties.Environment.Variables;
    expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe('Acme/Crud');
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}`)).toEqual([]);
  });
});

describe('Deploy guard: the placeholder issuer', () => {
  it('refuses to synthesize a non-local stage with the placeholder issuer, naming the fix', () => {
    expect(() => synth({})).toThrow(/No JWT issuer configured for stage "dev".*allowPlaceholderIssuer=true/s);
    expect(() => synth({ stage: 'prod' })).toThrow(/stage "prod"/);
  });

  it('lets it through when forced (context or API_ALLOW_PLACEHOLDER_ISSUER), and on stage local', () => {
    expect(() => synth({ stage: 'prod', allowPlaceholderIssuer: true })).not.toThrow();
    expect(() => synth({ stage: 'qa' }, { API_ALLOW_PLACEHOLDER_ISSUER: 'true' })).not.toThrow();
    expect(() => synth({ stage: 'local' })).not.toThrow();
  });
});

describe('Function: loadOpsConfig', () => {
  const load = (context: Record<string, unknown>) =>
    loadOpsConfig({ context: (k) => context[k], env: {}, stage: 'dev' });

  it('reports every bad value at once, naming the key', () => {
    try {
      load({
        alarmEmail: 'not-an-address',
        alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q',
        alarmApi5xxPercent: '150',
        tracing: 'yes',
        metricsNamespace: 'AWS/Lambda',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
        'alarmEmail',
        'alarmTopicArn',
        'alarmApi5xxPercent',
        'tracing',
        'metricsNamespace',
      ]);
    }
  });
});
