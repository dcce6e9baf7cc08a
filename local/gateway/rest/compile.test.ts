import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../types';
import { compileGateway, functionOfUri, parseIdentitySources } from './compile';

const resolve = (v: unknown) => v;
// A CloudFormation `Fn::Sub` string (joined so it does not read as a JS template).
const SUB = ['arn:aws:apigateway:r:lambda:path/2015-03-31/functions/$', '{Fn.Arn}/invocations'].join('');

describe('Function: functionOfUri', () => {
  const resources = {
    Fn: { Type: 'AWS::Lambda::Function' },
    Alias: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' } } },
  };
  it('finds the function in a Join, a Sub or through an alias', () => {
    expect(
      functionOfUri(
        { 'Fn::Join': ['', ['arn:', { 'Fn::GetAtt': ['Fn', 'Arn'] }, '/invocations']] },
        resources,
      ),
    ).toBe('Fn');
    expect(functionOfUri({ 'Fn::Sub': SUB }, resources)).toBe('Fn');
    expect(functionOfUri({ 'Fn::Join': ['', [{ Ref: 'Alias' }]] }, resources)).toBe('Fn');
    expect(functionOfUri('arn:aws:lambda:r:1:function:other', resources)).toBeUndefined();
  });
});

describe('Function: parseIdentitySources', () => {
  it('reads headers, query strings, stage variables and context', () => {
    expect(
      parseIdentitySources(
        'method.request.header.Authorization, method.request.querystring.t,stageVariables.s,context.x',
      ),
    ).toEqual([
      { kind: 'header', name: 'Authorization' },
      { kind: 'querystring', name: 't' },
      { kind: 'stageVariable', name: 's' },
      { kind: 'context', name: 'x' },
    ]);
    expect(parseIdentitySources('method.request.path.id')).toBeTypeOf('string');
  });
});

describe('Function: compileGateway', () => {
  it('builds the tree whatever the resource order, and warns about what it does not emulate', () => {
    const template: CfnTemplate = {
      Resources: {
        Child: {
          Type: 'AWS::ApiGateway::Resource',
          Properties: { RestApiId: { Ref: 'Api' }, ParentId: { Ref: 'Parent' }, PathPart: '{id}' },
        },
        Parent: {
          Type: 'AWS::ApiGateway::Resource',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
            PathPart: 'items',
          },
        },
        Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
        Http: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResourceId: { Ref: 'Child' },
            HttpMethod: 'get',
            Integration: { Type: 'HTTP_PROXY' },
          },
        },
        Dep: {
          Type: 'AWS::ApiGateway::Deployment',
          Properties: { RestApiId: { Ref: 'Api' }, StageName: 'v1' },
        },
      },
    };
    const m = compileGateway({ template, resolve });
    const api = m.apis[0]!;
    expect(api.stages.map((s) => s.name)).toEqual(['v1']);
    const child = api.root.literals.get('items')!.param!;
    expect(child.name).toBe('id');
    expect(child.node.resource.path).toBe('/items/{id}');
    expect(child.node.methods.get('GET')?.integration.type).toBe('UNSUPPORTED');
    expect(m.warnings.some((w) => w.includes('HTTP_PROXY'))).toBe(true);
  });
});

describe('Function: compileGateway, API key values by logical id', () => {
  it.each(['constructor', 'toString', 'valueOf'])(
    'generates a value for a key named %s rather than taking an inherited member',
    (id) => {
      const template: CfnTemplate = {
        Resources: { [id]: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Enabled: true } } },
      };
      const m = compileGateway({ template, resolve, apiKeyValues: { Other: 'other-value-0123456789' } });
      expect(m.apiKeys[0]?.logicalId).toBe(id);
      expect(m.apiKeys[0]?.value).toMatch(/^[A-Za-z0-9]{20,}$/);
    },
  );
});
