import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type OperationName, operations } from '../src/handlers/operations';
import { resources } from '../src/resources/index';
import { indexesFor, PK, SK, TTL_ATTRIBUTE } from '../src/store/table-design';
import { ConfigError, loadConfig, PLACEHOLDER_ISSUER } from './config';
import {
  CORS_ALLOW_HEADERS,
  CORS_EXPOSE_HEADERS,
  createApp,
  ESM_REQUIRE_BANNER,
  functionLogicalId,
  OUTPUTS,
} from './stack';

// biome-ignore lint/suspicious/noExplicitAny: a synthesized template is untyped JSON; tests read it by path.
type Json = any;
type Res = { Type: string; Properties: Record<string, Json>; DeletionPolicy?: string };
type Tpl = { Resources: Record<string, Res>; Outputs: Record<string, Json> };

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly template: Template;
  readonly json: Tpl;
  readonly assemblyDir: string;
}

/** Synthesizes the app as users do (nag registered, config from context), with no API_* env leaking in. */
function build(context: Record<string, unknown>, opts: { validation?: boolean } = {}): Built {
  const outdir = mkdtempSync(join(tmpdir(), 'crud-api-infra-'));
  const { app, stack } = createApp(
    { outdir, context, builtinCloudFormationValidation: opts.validation ?? true },
    {},
  );
  // In a test (NODE_ENV=test) an unacknowledged cdk-nag error makes synth throw, with the report.
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as Tpl, assemblyDir: assembly.directory };
}

const ofType = (t: Tpl, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** Logical ids named by `Fn::GetAtt` or `Ref` anywhere in a value. */
function referenced(value: unknown, kind: 'Fn::GetAtt' | 'Ref'): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === kind) out.push(Array.isArray(x) ? String(x[0]) : String(x));
        else walk(x);
      }
    }
  };
  walk(value);
  return out;
}

/** The function a method's integration invokes, by following its Uri to the function's logical id. */
function integrationTarget(method: Res): string | undefined {
  return referenced(method.Properties.Integration?.Uri, 'Fn::GetAtt')[0];
}

/** The `(action, resource)` pairs of the policies attached to a function's role. */
function grants(t: Tpl, fnId: string): { action: string; resource: unknown }[] {
  const roleId = referenced(t.Resources[fnId]!.Properties.Role, 'Fn::GetAtt')[0]!;
  const out: { action: string; resource: unknown }[] = [];
  for (const [, p] of ofType(t, 'AWS::IAM::Policy')) {
    if (!referenced(p.Properties.Roles, 'Ref').includes(roleId)) continue;
    for (const s of p.Properties.PolicyDocument.Statement) {
      expect(s.Effect).toBe('Allow');
      for (const action of [s.Action].flat()) {
        for (const resource of [s.Resource].flat()) out.push({ action, resource });
      }
    }
  }
  return out;
}

/** Every function: one per operation, plus the authorizer. */
const ALL_FUNCTIONS = [...operations.map((o) => o.name), 'authorizer' as const, 'historyConsumer' as const];
const TABLE_ARN = { 'Fn::GetAtt': ['Table', 'Arn'] };
const INDEX_ARN = { 'Fn::Join': ['', [TABLE_ARN, '/index/*']] };
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
];

describe('Stack: CrudApi (default configuration)', () => {
  let b: Built;
  beforeAll(() => {
    // The placeholder issuer is refused outside stage local unless forced (observability.test.ts tests that).
    b = build({ allowPlaceholderIssuer: true });
  });

  describe('routes', () => {
    it('gives every resource /{name} and /{name}/{id}, and every operation its method there', () => {
      const t = b.json;
      const apiResources = ofType(t, 'AWS::ApiGateway::Resource');
      const methods = ofType(t, 'AWS::ApiGateway::Method');
      for (const r of resources) {
        const [collectionId] = apiResources.find(([, x]) => x.Properties.PathPart === r.name) ?? [];
        expect(collectionId, `/${r.name}`).toBeDefined();
        const [itemId] =
          apiResources.find(
            ([, x]) => x.Properties.PathPart === '{id}' && x.Properties.ParentId?.Ref === collectionId,
          ) ?? [];
        expect(itemId, `/${r.name}/{id}`).toBeDefined();
        const [historyId] =
          apiResources.find(
            ([, x]) => x.Properties.PathPart === 'history' && x.Properties.ParentId?.Ref === itemId,
          ) ?? [];
        expect(historyId, `/${r.name}/{id}/history`).toBeDefined();
        for (const op of operations) {
          const resourceId =
            op.path === 'collection' ? collectionId : op.path === 'item' ? itemId : historyId;
          const found = methods.filter(
            ([, m]) => m.Properties.ResourceId?.Ref === resourceId && m.Properties.HttpMethod === op.method,
          );
          expect(found, `${op.method} ${r.name} ${op.path}`).toHaveLength(1);
          const method = found[0]![1];
          expect(method.Properties.Integration).toMatchObject({
            Type: 'AWS_PROXY',
            IntegrationHttpMethod: 'POST',
          });
          const target = integrationTarget(method);
          expect(target).toBe(functionLogicalId(op.name));
          expect(t.Resources[target!]!.Properties.Environment.Variables.OPERATION).toBe(op.name);
        }
      }
      const data = methods.filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS');
      expect(data).toHaveLength(resources.length * operations.length);
    });

    it('requires an API key and the JWT authorizer on every data method', () => {
      const t = b.json;
      const [[authorizerId, authorizer]] = ofType(t, 'AWS::ApiGateway::Authorizer') as [[string, Res]];
      expect(authorizer.Properties).toMatchObject({
        Type: 'REQUEST',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 300,
      });
      expect(referenced(authorizer.Properties.AuthorizerUri, 'Fn::GetAtt')[0]).toBe(
        functionLogicalId('authorizer'),
      );
      for (const [id, m] of ofType(t, 'AWS::ApiGateway::Method')) {
        if (m.Properties.HttpMethod === 'OPTIONS') continue;
        expect(m.Properties.ApiKeyRequired, id).toBe(true);
        expect(m.Properties.AuthorizationType, id).toBe('CUSTOM');
        expect(m.Properties.AuthorizerId, id).toEqual({ Ref: authorizerId });
      }
    });

    it('answers CORS preflight on every path with the configured origin and headers', () => {
      const t = b.json;
      const options = ofType(t, 'AWS::ApiGateway::Method').filter(
        ([, m]) => m.Properties.HttpMethod === 'OPTIONS',
      );
      // /{name}, /{name}/{id} and /{name}/{id}/history
      expect(options).toHaveLength(resources.length * 3);
      for (const [, m] of options) {
        expect(m.Properties.AuthorizationType).toBe('NONE');
        expect(m.Properties.ApiKeyRequired).toBe(false);
        expect(m.Properties.Integration.Type).toBe('MOCK');
        const headers = m.Properties.Integration.IntegrationResponses[0].ResponseParameters;
        expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe("'http://localhost:3000'");
        expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe(
          `'${CORS_ALLOW_HEADERS.join(',')}'`,
        );
        expect(headers['method.response.header.Access-Control-Expose-Headers']).toBe(
          `'${CORS_EXPOSE_HEADERS.join(',')}'`,
        );
      }
    });

    it('adds CORS headers to the gateway 4XX and 5XX responses', () => {
      for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
        b.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
          ResponseType: type,
          ResponseParameters: {
            'gatewayresponse.header.Access-Control-Allow-Origin': "'http://localhost:3000'",
            'gatewayresponse.header.Access-Control-Allow-Headers': `'${CORS_ALLOW_HEADERS.join(',')}'`,
          },
        });
      }
    });

    it('defines no gateway body models or validators (the functions validate)', () => {
      b.template.resourceCountIs('AWS::ApiGateway::Model', 0);
      b.template.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
    });
  });

  describe('stage and usage plan', () => {
    it('throttles the stage, logs access as JSON and executions at INFO without data trace', () => {
      const [[, stage]] = ofType(b.json, 'AWS::ApiGateway::Stage') as [[string, Res]];
      expect(stage.Properties.StageName).toBe('dev');
      expect(stage.Properties.MethodSettings).toEqual([
        {
          ResourcePath: '/*',
          HttpMethod: '*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'INFO',
          DataTraceEnabled: false,
          MetricsEnabled: true,
        },
      ]);
      const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
      const accessLogs = ofType(b.json, 'AWS::Logs::LogGroup').filter(([id]) => id.includes('AccessLogs'));
      expect(accessLogs).toHaveLength(1);
      expect(referenced(stage.Properties.AccessLogSetting.DestinationArn, 'Ref')).toContain(
        accessLogs[0]![0],
      );
      b.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    });

    it('binds one API key to a usage plan with the configured limits on the stage', () => {
      const [[stageId]] = ofType(b.json, 'AWS::ApiGateway::Stage') as [[string, Res]];
      const [[keyId]] = ofType(b.json, 'AWS::ApiGateway::ApiKey') as [[string, Res]];
      const [[planId, plan]] = ofType(b.json, 'AWS::ApiGateway::UsagePlan') as [[string, Res]];
      expect(plan.Properties.Throttle).toEqual({ RateLimit: 50, BurstLimit: 100 });
      expect(plan.Properties.Quota).toEqual({ Limit: 100000, Period: 'DAY' });
      expect(plan.Properties.ApiStages[0].Stage).toEqual({ Ref: stageId });
      b.template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
        KeyId: { Ref: keyId },
        UsagePlanId: { Ref: planId },
        KeyType: 'API_KEY',
      });
    });

    it('has no web ACL unless wafEnabled', () => {
      b.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    });
  });

  describe('functions', () => {
    it('has one arm64 Node.js 24 function per operation plus the authorizer and the history consumer, sized by config', () => {
      // + the backfill function (infra/backfill.test.ts)
      b.template.resourceCountIs('AWS::Lambda::Function', operations.length + 3);
      for (const name of ALL_FUNCTIONS) {
        const fn = b.json.Resources[functionLogicalId(name)];
        expect(fn, name).toBeDefined();
        expect(fn!.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          MemorySize: 256,
          Timeout: 10,
        });
        expect(fn!.Properties.ReservedConcurrentExecutions).toBeUndefined();
        expect(referenced(fn!.Properties.LoggingConfig?.LogGroup, 'Ref')).toHaveLength(1);
      }
    });

    it('gives CRUD functions the table, their operation and (only when they sign cursors) the secret', () => {
      for (const op of operations) {
        const env = b.json.Resources[functionLogicalId(op.name)]!.Properties.Environment.Variables;
        expect(env).toMatchObject({
          TABLE_NAME: { Ref: 'Table' },
          OPERATION: op.name,
          POWERTOOLS_SERVICE_NAME: 'crud-api',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
          ALLOWED_ORIGINS: 'http://localhost:3000',
        });
        if (op.usesCursorSecret) {
          expect(JSON.stringify(env.CURSOR_SECRET)).toContain('{{resolve:secretsmanager:');
          expect(referenced(env.CURSOR_SECRET, 'Ref')).toEqual(['CursorSecret']);
        } else {
          expect(env.CURSOR_SECRET).toBeUndefined();
        }
      }
    });

    it('gives the authorizer the issuer settings and nothing of the table', () => {
      const env = b.json.Resources[functionLogicalId('authorizer')]!.Properties.Environment.Variables;
      expect(env).toMatchObject({
        JWT_ISSUER: PLACEHOLDER_ISSUER,
        JWT_AUDIENCE: 'crud-api',
        JWKS_URL: `${PLACEHOLDER_ISSUER}/.well-known/jwks.json`,
        JWT_MAX_LIFETIME_SECONDS: '86400',
        TENANT_CLAIM: 'tenant',
      });
      expect(env.TABLE_NAME).toBeUndefined();
      expect(env.CURSOR_SECRET).toBeUndefined();
    });

    it('bundles each function as ESM with the createRequire banner and a source map', () => {
      for (const name of ALL_FUNCTIONS) {
        const key: string = b.json.Resources[functionLogicalId(name)]!.Properties.Code.S3Key;
        const dir = join(b.assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
        const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
        expect(code.startsWith(ESM_REQUIRE_BANNER), name).toBe(true);
        expect(existsSync(join(dir, 'index.mjs.map')), name).toBe(true);
      }
    });
  });

  describe('change history', () => {
    it('feeds the table stream to the consumer: item records only, bisect, partial failures, a DLQ', () => {
      const [[, esm]] = ofType(b.json, 'AWS::Lambda::EventSourceMapping') as [[string, Res]];
      expect(esm.Properties).toMatchObject({
        FunctionName: { Ref: functionLogicalId('historyConsumer') },
        EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['HistoryDeadLetters', 'Arn'] } } },
      });
      const patterns = esm.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) =>
        JSON.parse(f.Pattern),
      );
      expect(patterns).toEqual([
        { dynamodb: { NewImage: { _type: { S: ['item'] } } } },
        { eventName: ['REMOVE'], dynamodb: { OldImage: { _type: { S: ['item'] } } } },
      ]);
    });

    it('lets the consumer write entries and read deletion records, and nothing else on the table', () => {
      const ddb = grants(b.json, functionLogicalId('historyConsumer')).filter((x) =>
        x.action.startsWith('dynamodb:'),
      );
      const onTable = ddb
        .filter((x) => JSON.stringify(x.resource) === JSON.stringify(TABLE_ARN))
        .map((x) => x.action);
      expect(new Set(onTable)).toEqual(new Set(['dynamodb:PutItem', 'dynamodb:GetItem']));
      for (const w of ['dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteTable']) {
        expect(ddb.map((x) => x.action)).not.toContain(w);
      }
    });
  });

  describe('IAM', () => {
    it('grants each function exactly its operation actions, on the table, and logs on its own group', () => {
      for (const op of operations) {
        const g = grants(b.json, functionLogicalId(op.name));
        const ddb = g.filter((x) => x.action.startsWith('dynamodb:'));
        expect(new Set(ddb.map((x) => x.action)), op.name).toEqual(new Set(op.actions));
        for (const x of ddb) {
          if (x.action === 'dynamodb:Query') expect([TABLE_ARN, INDEX_ARN]).toContainEqual(x.resource);
          else expect(x.resource, `${op.name} ${x.action}`).toEqual(TABLE_ARN);
        }
        const onIndex = ddb.filter((x) => JSON.stringify(x.resource) === JSON.stringify(INDEX_ARN));
        expect(onIndex.length > 0, `${op.name} on indexes`).toBe(op.actions.includes('dynamodb:Query'));
        const other = g.filter((x) => !x.action.startsWith('dynamodb:'));
        expect(new Set(other.map((x) => x.action))).toEqual(
          new Set(['logs:CreateLogStream', 'logs:PutLogEvents']),
        );
      }
    });

    it('gives read operations no write action', () => {
      for (const name of ['get', 'list'] as OperationName[]) {
        const actions = grants(b.json, functionLogicalId(name)).map((x) => x.action);
        for (const w of WRITE_ACTIONS) expect(actions, name).not.toContain(w);
      }
    });

    it('gives the authorizer no table or secret access', () => {
      const actions = grants(b.json, functionLogicalId('authorizer')).map((x) => x.action);
      expect(new Set(actions)).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents']));
    });

    it('lets nothing delete the table or use wildcard actions, and attaches no managed policy to functions', () => {
      const text = JSON.stringify(b.json.Resources);
      expect(text).not.toContain('dynamodb:DeleteTable');
      expect(text).not.toContain('dynamodb:*');
      expect(text).not.toMatch(/"Action":"\*"/);
      for (const name of ALL_FUNCTIONS) {
        const roleId = referenced(
          b.json.Resources[functionLogicalId(name)]!.Properties.Role,
          'Fn::GetAtt',
        )[0]!;
        expect(b.json.Resources[roleId]!.Properties.ManagedPolicyArns, name).toBeUndefined();
      }
    });
  });

  describe('table', () => {
    it('is keyed, on demand, recoverable, streamed and expiring as the key design says', () => {
      const table = b.json.Resources['Table']!;
      expect(table.Type).toBe('AWS::DynamoDB::Table');
      expect(table.Properties).toMatchObject({
        KeySchema: [
          { AttributeName: PK, KeyType: 'HASH' },
          { AttributeName: SK, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        DeletionProtectionEnabled: false,
      });
      expect(table.DeletionPolicy).toBe('Delete');
      for (const a of table.Properties.AttributeDefinitions) expect(a.AttributeType).toBe('S');
    });

    it('has exactly the GSIs of indexesFor(resources), all projecting ALL', () => {
      const gsis = b.json.Resources['Table']!.Properties.GlobalSecondaryIndexes;
      expect(gsis).toEqual(
        indexesFor(resources).map((ix) => ({
          IndexName: ix.name,
          KeySchema: [
            { AttributeName: ix.partitionKey, KeyType: 'HASH' },
            { AttributeName: ix.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      );
    });
  });

  it('outputs ApiUrl, ApiKeyId and TableName', () => {
    const [[keyId]] = ofType(b.json, 'AWS::ApiGateway::ApiKey') as [[string, Res]];
    expect(Object.keys(b.json.Outputs).sort()).toEqual(Object.values(OUTPUTS).sort());
    expect(b.json.Outputs[OUTPUTS.apiKeyId].Value).toEqual({ Ref: keyId });
    expect(b.json.Outputs[OUTPUTS.tableName].Value).toEqual({ Ref: 'Table' });
    expect(JSON.stringify(b.json.Outputs[OUTPUTS.apiUrl].Value)).toContain('execute-api');
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(b.app);
    const summary = report.violations.map((v) => `${v.severity} ${v.ruleName}`);
    expect(summary).toEqual([]);
  });

  it('warns that the issuer is a placeholder', () => {
    const warnings = b.stack.node.metadata
      .filter((m) => m.type === 'aws:cdk:warning')
      .map((m) => String(m.data));
    expect(warnings.some((w) => w.includes(PLACEHOLDER_ISSUER))).toBe(true);
  });
});

describe('Stack: CrudApi (prod configuration, WAF on)', () => {
  let b: Built;
  const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
  beforeAll(() => {
    // Bundling and the built-in template validation are already covered above; skip them here.
    b = build(
      {
        'aws:cdk:bundling-stacks': [],
        stage: 'prod',
        corsOrigins: 'https://app.example.com,https://admin.example.com',
        throttleRate: '20',
        throttleBurst: '40',
        quotaLimit: '5000',
        quotaPeriod: 'MONTH',
        jwtIssuer: issuer,
        jwtAudience: 'client-123',
        tenantClaim: 'custom:tenant',
        jwtMaxLifetimeSeconds: '900',
        memorySize: '512',
        timeoutSeconds: '15',
        reservedConcurrency: '5',
        wafEnabled: 'true',
        logRetentionDays: '90',
      },
      { validation: false },
    );
  });

  it('names the stack and stage after the configured stage', () => {
    expect(b.stack.stackName).toBe('CrudApi-prod');
    b.template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  it('uses the configured limits on the stage and the usage plan', () => {
    b.template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 20, BurstLimit: 40 },
      Quota: { Limit: 5000, Period: 'MONTH' },
    });
    const [[, stage]] = ofType(b.json, 'AWS::ApiGateway::Stage') as [[string, Res]];
    expect(stage.Properties.MethodSettings[0]).toMatchObject({
      ThrottlingRateLimit: 20,
      ThrottlingBurstLimit: 40,
    });
  });

  it('protects and retains the table and the logs', () => {
    const table = b.json.Resources['Table']!;
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    for (const [id, lg] of ofType(b.json, 'AWS::Logs::LogGroup')) {
      expect(lg.DeletionPolicy, id).toBe('Retain');
      expect(lg.Properties.RetentionInDays, id).toBe(90);
    }
  });

  it('sizes functions from config and drops source maps in prod', () => {
    for (const name of ALL_FUNCTIONS) {
      const p = b.json.Resources[functionLogicalId(name)]!.Properties;
      expect(p).toMatchObject({ MemorySize: 512, Timeout: 15, ReservedConcurrentExecutions: 5 });
      expect(p.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    }
  });

  it('derives the JWKS URL from the issuer and passes the tenant claim', () => {
    expect(b.json.Resources[functionLogicalId('authorizer')]!.Properties.Environment.Variables).toMatchObject(
      {
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: 'client-123',
        JWKS_URL: `${issuer}/.well-known/jwks.json`,
        JWT_MAX_LIFETIME_SECONDS: '900',
        TENANT_CLAIM: 'custom:tenant',
      },
    );
  });

  it('lets any listed origin read gateway errors when several are configured', () => {
    b.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
    });
  });

  it('associates a web ACL with the managed common rule set and a per-IP rate rule to the stage', () => {
    const [[aclId, acl]] = ofType(b.json, 'AWS::WAFv2::WebACL') as [[string, Res]];
    expect(acl.Properties.Scope).toBe('REGIONAL');
    const rules = acl.Properties.Rules as Json[];
    expect(rules.map((r) => r.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean)).toEqual([
      'AWSManagedRulesCommonRuleSet',
    ]);
    expect(rules.some((r) => r.Statement.RateBasedStatement?.AggregateKeyType === 'IP')).toBe(true);
    const [[stageId]] = ofType(b.json, 'AWS::ApiGateway::Stage') as [[string, Res]];
    const [[, assoc]] = ofType(b.json, 'AWS::WAFv2::WebACLAssociation') as [[string, Res]];
    expect(referenced(assoc.Properties.WebACLArn, 'Fn::GetAtt')).toEqual([aclId]);
    expect(referenced(assoc.Properties.ResourceArn, 'Ref')).toContain(stageId);
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(b.app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}`)).toEqual([]);
  });
});

describe('cdk-nag registration', () => {
  it('fails synth on an unacknowledged AwsSolutions error', () => {
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'crud-api-nag-')),
      builtinCloudFormationValidation: false,
    });
    new secretsmanager.Secret(new Stack(app, 'Bad'), 'NoRotation');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
  });
});

describe('Function: loadConfig', () => {
  const load = (context: Record<string, unknown>, env: Record<string, string> = {}) =>
    loadConfig({ context: (k) => context[k], env });
  const problemsOf = (context: Record<string, unknown>): string[] => {
    try {
      load(context);
    } catch (e) {
      if (e instanceof ConfigError) return [...e.problems];
      throw e;
    }
    return [];
  };

  it('has documented defaults and works with no configuration', () => {
    const { config, warnings } = load({});
    expect(config).toMatchObject({
      stage: 'dev',
      corsOrigins: ['http://localhost:3000'],
      throttleRate: 50,
      throttleBurst: 100,
      quotaLimit: 100000,
      quotaPeriod: 'DAY',
      jwtIssuer: PLACEHOLDER_ISSUER,
      jwksUrl: `${PLACEHOLDER_ISSUER}/.well-known/jwks.json`,
      jwtMaxLifetimeSeconds: 86400,
      tenantClaim: 'tenant',
      memorySize: 256,
      timeoutSeconds: 10,
      deletionProtection: false,
      logRetentionDays: 30,
      wafEnabled: false,
      sourceMaps: true,
      placeholderIssuer: true,
    });
    expect(config.reservedConcurrency).toBeUndefined();
    expect(warnings.map((w) => w.id)).toEqual(['placeholder-issuer']);
  });

  it('turns on deletion protection and off source maps for prod', () => {
    expect(load({ stage: 'prod' }).config).toMatchObject({
      deletionProtection: true,
      sourceMaps: false,
      isProd: true,
    });
  });

  it('accepts typed values (cdk.json, CDK_CONTEXT_JSON) as well as strings (-c key=value)', () => {
    const typed = load({
      throttleRate: 7.5,
      throttleBurst: 9,
      wafEnabled: true,
      corsOrigins: ['https://a.example'],
    });
    const strings = load({
      throttleRate: '7.5',
      throttleBurst: '9',
      wafEnabled: 'true',
      corsOrigins: '["https://a.example"]',
    });
    expect(strings.config).toEqual(typed.config);
  });

  it('reads API_<KEY> environment variables when the context has no value', () => {
    const { config } = load(
      { jwtAudience: 'aud' },
      { API_JWT_ISSUER: 'https://issuer.example.com/', API_THROTTLE_RATE: '5' },
    );
    expect(config.jwtIssuer).toBe('https://issuer.example.com/');
    expect(config.jwksUrl).toBe('https://issuer.example.com/.well-known/jwks.json');
    expect(config.throttleRate).toBe(5);
    expect(load({ throttleRate: '6' }, { API_THROTTLE_RATE: '5' }).config.throttleRate).toBe(6);
  });

  it('accepts the offline twin: stage local and an http issuer on localhost', () => {
    const { config, warnings } = load({
      stage: 'local',
      jwtIssuer: 'http://127.0.0.1:4010',
      jwksUrl: 'http://127.0.0.1:4010/jwks',
      jwtAudience: 'crud-api-local',
    });
    expect(config).toMatchObject({
      stage: 'local',
      jwksUrl: 'http://127.0.0.1:4010/jwks',
      placeholderIssuer: false,
    });
    expect(warnings).toEqual([]);
  });

  it('names the app stack after the stage the twin passes', () => {
    const { stack } = createApp(
      {
        outdir: mkdtempSync(join(tmpdir(), 'crud-api-local-')),
        context: {
          'aws:cdk:bundling-stacks': [],
          stage: 'local',
          jwtIssuer: 'http://localhost:4010',
          jwtAudience: 'local',
        },
      },
      {},
    );
    expect(stack.stackName).toBe('CrudApi-local');
  });

  it('reports every problem at once, naming the key and the source', () => {
    const problems = problemsOf({
      stage: 'Prod!',
      throttleRate: 'fast',
      corsOrigins: 'https://a.example/path',
      logRetentionDays: '8',
      wafEnabled: 'yes',
      quotaPeriod: 'HOUR',
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/^stage: .*"Prod!" \(from context "stage"\)/m);
    expect(problems.join('\n')).toMatch(/^throttleRate: must be a number/m);
    expect(problems.join('\n')).toMatch(/^corsOrigins: "https:\/\/a.example\/path" is not an origin/m);
    expect(problems.join('\n')).toMatch(/^logRetentionDays: must be one of/m);
    expect(problems.join('\n')).toMatch(/^wafEnabled: must be true or false/m);
    expect(problems.join('\n')).toMatch(/^quotaPeriod: must be one of DAY, WEEK, MONTH/m);
  });

  it('requires https issuers (except on localhost) and an audience with an issuer', () => {
    expect(problemsOf({ jwtIssuer: 'http://issuer.example.com', jwtAudience: 'a' })[0]).toMatch(
      /^jwtIssuer: must use https/,
    );
    expect(problemsOf({ jwtIssuer: 'https://issuer.example.com' })[0]).toMatch(/^jwtAudience: required/);
    expect(problemsOf({ jwksUrl: 'not a url' })[0]).toMatch(/^jwksUrl: must be an absolute URL/);
  });

  it('rejects out-of-range numbers', () => {
    expect(problemsOf({ memorySize: '64' })[0]).toMatch(/^memorySize: must be an integer from 128 to 10240/);
    expect(problemsOf({ reservedConcurrency: '0' })[0]).toMatch(/^reservedConcurrency:/);
    expect(problemsOf({ throttleBurst: '1.5' })[0]).toMatch(/^throttleBurst: must be an integer/);
    expect(problemsOf({ jwtMaxLifetimeSeconds: '0' })[0]).toMatch(
      /^jwtMaxLifetimeSeconds: must be an integer from 60 to 2678400/,
    );
  });

  it('fails app construction with a ConfigError', () => {
    expect(() => createApp({ context: { stage: 'BAD' } }, {})).toThrow(ConfigError);
  });
});
