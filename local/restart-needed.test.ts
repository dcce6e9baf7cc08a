import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restartNeeded, type TemplateLike } from './restart-needed';

const fixture = (): {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
} =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../test/fixtures/other-app/NotesApp.template.json'), 'utf8'),
  );

/** A new path `/<part>` under the root with a GET to the fixture's handler, and the CDK's new deployment id. */
function withRoute(t: ReturnType<typeof fixture>, part: string, method = 'GET') {
  const rid = `${part}Resource`;
  t.Resources[rid] = {
    Type: 'AWS::ApiGateway::Resource',
    Properties: {
      RestApiId: { Ref: 'Api' },
      ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
      PathPart: part,
    },
  };
  t.Resources[`${rid}${method}`] = {
    Type: 'AWS::ApiGateway::Method',
    Properties: { ...t.Resources['ProxyAny']!.Properties, ResourceId: { Ref: rid }, HttpMethod: method },
  };
  t.Resources[`${rid}Permission`] = {
    Type: 'AWS::Lambda::Permission',
    Properties: { Action: 'lambda:InvokeFunction' },
  };
  const deployment = t.Resources['Deployment']!;
  delete t.Resources['Deployment'];
  t.Resources['Deployment1234'] = deployment;
  t.Resources['Stage']!.Properties!['DeploymentId'] = { Ref: 'Deployment1234' };
  return t;
}

describe('Function: restartNeeded', () => {
  it('needs nothing for what a reload swaps: code, variables, roles, a new deployment id', () => {
    const after = fixture();
    const fn = after.Resources['Handler']!.Properties!;
    fn['Code'] = { S3Bucket: 'cdk-assets', S3Key: 'other.zip' };
    fn['Environment'] = { Variables: { NOTES_TABLE: { Ref: 'NotesTable' }, MORE: '1' } };
    after.Resources['HandlerRolePolicy']!.Properties!['PolicyDocument'] = { Statement: [] };
    after.Resources['Meta'] = { Type: 'AWS::CDK::Metadata' };
    expect(restartNeeded(fixture(), after)).toEqual([]);
  });

  it('names new and removed routes by method and path, new tables and functions, changed stages', () => {
    const after = withRoute(fixture(), 'extra');
    after.Resources['ExtraTable'] = { ...after.Resources['NotesTable']! };
    after.Resources['ExtraFn'] = { ...after.Resources['Handler']! };
    after.Resources['Stage']!.Properties!['Variables'] = { mode: 'x' };
    expect(restartNeeded(fixture(), after)).toEqual([
      'changed AWS::ApiGateway::Stage Stage',
      'new route GET /extra',
      'new table ExtraTable',
      'new function ExtraFn',
    ]);
    expect(restartNeeded(after, fixture())).toEqual([
      'changed AWS::ApiGateway::Stage Stage',
      'removed route GET /extra',
      'removed table ExtraTable',
      'removed function ExtraFn',
    ]);
  });

  it('names a changed table, path or method, and the root path as /', () => {
    const after = fixture();
    after.Resources['NotesTable']!.Properties!['StreamSpecification'] = { StreamViewType: 'NEW_IMAGE' };
    after.Resources['ProxyResource']!.Properties!['PathPart'] = 'notes';
    after.Resources['ProxyAny']!.Properties!['AuthorizationType'] = 'AWS_IAM';
    after.Resources['RootGet'] = {
      Type: 'AWS::ApiGateway::Method',
      Properties: { HttpMethod: 'GET', ResourceId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] } },
    };
    expect(restartNeeded(fixture(), after)).toEqual([
      'changed table NotesTable',
      'changed path /notes',
      'changed route ANY /notes',
      'new route GET /',
    ]);
  });

  it('takes resource names such as toString or __proto__ as data', () => {
    const after: TemplateLike = JSON.parse(
      '{"Resources":{"toString":{"Type":"AWS::DynamoDB::Table"},"__proto__":{"Type":"AWS::Lambda::Function"}}}',
    );
    expect(restartNeeded({ Resources: {} }, after)).toEqual(['new table toString', 'new function __proto__']);
    expect(restartNeeded(after, after)).toEqual([]);
  });
});
