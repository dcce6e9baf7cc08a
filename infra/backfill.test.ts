import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKFILL_LOGICAL_ID } from './backfill';
import { createApp, OUTPUTS } from './stack';

// biome-ignore lint/suspicious/noExplicitAny: a synthesized template is untyped JSON; tests read it by path.
type Json = any;

describe('Construct: Backfill (in the stack)', () => {
  let json: Json;
  let app: ReturnType<typeof createApp>['app'];
  beforeAll(() => {
    const outdir = mkdtempSync(join(tmpdir(), 'crud-api-backfill-'));
    // Bundling is covered by the stack's tests; the template is what is asserted here.
    const built = createApp(
      { outdir, context: { 'aws:cdk:bundling-stacks': [], allowPlaceholderIssuer: 'true' } },
      {},
    );
    app = built.app;
    app.synth();
    json = Template.fromStack(built.stack).toJSON();
  });

  const fn = () => json.Resources[BACKFILL_LOGICAL_ID];
  const roleId = () => fn().Properties.Role['Fn::GetAtt'][0] as string;
  const statements = () =>
    Object.values(json.Resources as Record<string, Json>)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => r.Properties.Roles.some((x: Json) => x.Ref === roleId()))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);

  it('deploys the function with the table name, a 15-minute timeout and its name as an output', () => {
    expect(fn().Type).toBe('AWS::Lambda::Function');
    expect(fn().Properties.Environment.Variables.TABLE_NAME).toEqual({ Ref: 'Table' });
    expect(fn().Properties.Timeout).toBe(900);
    expect(json.Outputs[OUTPUTS.backfillFunction].Value).toEqual({ Ref: BACKFILL_LOGICAL_ID });
  });

  it('may only Scan and UpdateItem the table itself (no index, no other action), besides its own logs', () => {
    const dynamo = statements().filter((s: Json) =>
      [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toEqual([
      {
        Action: ['dynamodb:Scan', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
      },
    ]);
    const others = statements().filter((s: Json) => !dynamo.includes(s));
    for (const s of others) expect([s.Action].flat().every((a: string) => a.startsWith('logs:'))).toBe(true);
    expect(json.Resources[roleId()].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('has no route: no API Gateway method integrates it', () => {
    const methods = Object.values(json.Resources as Record<string, Json>).filter(
      (r) => r.Type === 'AWS::ApiGateway::Method',
    );
    expect(JSON.stringify(methods)).not.toContain(BACKFILL_LOGICAL_ID);
    const permissions = Object.values(json.Resources as Record<string, Json>).filter(
      (r) => r.Type === 'AWS::Lambda::Permission',
    );
    expect(JSON.stringify(permissions)).not.toContain(BACKFILL_LOGICAL_ID);
  });

  it('leaves cdk-nag AwsSolutions with nothing to report', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}`)).toEqual([]);
  });
});
