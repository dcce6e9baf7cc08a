// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, not JS templates
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../types';
import { createResolver } from './resolver';
import { createSecretStore } from './secrets';

const template: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Names: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
    BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/version' },
  },
  Mappings: { Sizes: { dev: { Memory: 256 }, prod: { Memory: 1024 } } },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    DevAndUs: {
      'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }],
    },
    Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'DevAndUs' }] },
  },
  Resources: {
    Items: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [] } },
    Named: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: { 'Fn::Sub': '${AWS::StackName}-named' } },
    },
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
    ProdOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsProd', Properties: {} },
    Secret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        GenerateSecretString: {
          SecretStringTemplate: '{"username":"admin"}',
          GenerateStringKey: 'password',
          ExcludePunctuation: true,
        },
      },
    },
    Fixed: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'fixed', SecretString: '{"k":"v"}' } },
    Custom: { Type: 'Custom::Thing', Properties: {} },
  },
};

function make(extra: Partial<Parameters<typeof createResolver>[1]> = {}) {
  const lines: string[] = [];
  const r = createResolver(template, { stackName: 'Api', log: (l) => lines.push(l), ...extra });
  return { ...r, lines };
}

describe('createResolver', () => {
  describe('Ref', () => {
    it('gives tables <stackName>-<logicalId>, or their resolved TableName', () => {
      const { resolve } = make();
      expect(resolve({ Ref: 'Items' })).toBe('Api-Items');
      expect(resolve({ Ref: 'Named' })).toBe('Api-named');
    });

    it('gives parameter defaults, overrides, and splits list parameters', () => {
      expect(make().resolve({ Ref: 'Stage' })).toBe('dev');
      expect(make({ parameters: { Stage: 'prod' } }).resolve({ Ref: 'Stage' })).toBe('prod');
      expect(make().resolve({ Ref: 'Names' })).toEqual(['a', 'b', 'c']);
    });

    it('gives pseudo parameters from the options', () => {
      const { resolve } = make({ region: 'eu-west-1', accountId: '111122223333' });
      expect(
        resolve(
          ['AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::Partition', 'AWS::URLSuffix'].map(
            (p) => ({ Ref: p }),
          ),
        ),
      ).toEqual(['eu-west-1', '111122223333', 'Api', 'aws', 'amazonaws.com']);
    });

    it('drops properties and list elements that are AWS::NoValue', () => {
      const { resolve } = make();
      expect(resolve({ a: 1, b: { Ref: 'AWS::NoValue' }, c: [1, { Ref: 'AWS::NoValue' }, 2] })).toEqual({
        a: 1,
        c: [1, 2],
      });
      expect(resolve({ Ref: 'AWS::NoValue' })).toBeUndefined();
    });

    it('gives queues their URL and functions their name', () => {
      const { resolve } = make();
      expect(resolve({ Ref: 'Queue' })).toBe('https://sqs.us-east-1.amazonaws.com/000000000000/Api-Queue');
      expect(resolve({ Ref: 'Fn' })).toBe('Api-Fn');
    });

    it('warns about an SSM parameter type and an unknown name, without throwing', () => {
      const { resolve, lines } = make();
      expect(resolve({ Ref: 'BootstrapVersion' })).toBe('/cdk-bootstrap/version');
      expect(resolve({ Ref: 'Nope' })).toBe('Nope');
      expect(lines.join('\n')).toMatch(/SSM parameter type/);
      expect(lines.join('\n')).toMatch(/Ref to unknown Nope/);
    });
  });

  describe('Fn::GetAtt', () => {
    it('gives ARNs, stream ARNs and the RestApi root resource id, in both syntaxes', () => {
      const { resolve } = make();
      expect(resolve({ 'Fn::GetAtt': ['Items', 'Arn'] })).toBe(
        'arn:aws:dynamodb:us-east-1:000000000000:table/Api-Items',
      );
      expect(resolve({ 'Fn::GetAtt': 'Items.StreamArn' })).toMatch(
        /^arn:aws:dynamodb:.*:table\/Api-Items\/stream\//,
      );
      expect(resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe(
        'arn:aws:lambda:us-east-1:000000000000:function:Api-Fn',
      );
      expect(resolve({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe('arn:aws:iam::000000000000:role/Api-Role');
      expect(resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe(
        'arn:aws:sqs:us-east-1:000000000000:Api-Queue',
      );
      const root = resolve({ 'Fn::GetAtt': ['Api', 'RootResourceId'] });
      expect(root).toMatch(/^[a-z0-9]{10}$/);
      expect(root).not.toBe(resolve({ Ref: 'Api' }));
    });

    it('is stable across resolvers (ids survive restarts)', () => {
      expect(make().resolve({ Ref: 'Api' })).toBe(make().resolve({ Ref: 'Api' }));
    });

    it('uses an attribute set by the engine', () => {
      const r = make();
      r.setAttribute('Items', 'StreamArn', 'arn:real');
      expect(r.resolve({ 'Fn::GetAtt': ['Items', 'StreamArn'] })).toBe('arn:real');
    });

    it('warns on an attribute it cannot know and returns a placeholder', () => {
      const { resolve, lines } = make();
      expect(resolve({ 'Fn::GetAtt': ['Custom', 'Output'] })).toBe('Custom.Output');
      expect(lines.some((l) => l.includes('Custom.Output') && l.includes('Custom::Thing'))).toBe(true);
    });
  });

  describe('string functions', () => {
    it('joins, selects and splits', () => {
      const { resolve } = make();
      expect(resolve({ 'Fn::Join': ['/', ['a', { Ref: 'Items' }, 3]] })).toBe('a/Api-Items/3');
      expect(resolve({ 'Fn::Select': [1, { Ref: 'Names' }] })).toBe('b');
      expect(resolve({ 'Fn::Split': ['|', 'x|y'] })).toEqual(['x', 'y']);
      expect(resolve({ 'Fn::Select': [2, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Items', 'Arn'] }] }] })).toBe(
        'dynamodb',
      );
    });

    it('substitutes refs, attributes, variables and keeps ${!Literal}', () => {
      const { resolve } = make();
      expect(
        resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${Items}:${Items.Arn}:${!Keep}' }),
      ).toBe('arn:aws:x:us-east-1:Api-Items:arn:aws:dynamodb:us-east-1:000000000000:table/Api-Items:${Keep}');
      expect(resolve({ 'Fn::Sub': ['${A}-${Stage}', { A: { Ref: 'Fn' } }] })).toBe('Api-Fn-dev');
    });

    it('encodes base64 and gives AZs', () => {
      const { resolve } = make();
      expect(resolve({ 'Fn::Base64': 'hi' })).toBe('aGk=');
      expect(resolve({ 'Fn::GetAZs': '' })).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    });

    it('finds in maps, with a default value', () => {
      const { resolve } = make();
      expect(resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] })).toBe(256);
      expect(resolve({ 'Fn::FindInMap': ['Sizes', 'qa', 'Memory', { DefaultValue: 128 }] })).toBe(128);
    });

    it('warns on Fn::ImportValue and unknown functions', () => {
      const { resolve, lines } = make();
      expect(resolve({ 'Fn::ImportValue': 'Shared-Out' })).toBe('imported:Shared-Out');
      resolve({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] });
      expect(lines.filter((l) => /ImportValue|Fn::Cidr/.test(l))).toHaveLength(2);
    });
  });

  describe('conditions', () => {
    it('evaluates Equals/Not/And/Or and nested Condition references', () => {
      const dev = make();
      expect([
        dev.condition('IsProd'),
        dev.condition('IsDev'),
        dev.condition('DevAndUs'),
        dev.condition('Either'),
      ]).toEqual([false, true, true, true]);
      const prod = make({ parameters: { Stage: 'prod' } });
      expect([prod.condition('IsProd'), prod.condition('DevAndUs'), prod.condition('Either')]).toEqual([
        true,
        false,
        true,
      ]);
    });

    it('picks a branch with Fn::If, and may remove the property', () => {
      const { resolve } = make();
      expect(
        resolve({
          m: { 'Fn::If': ['IsProd', 1024, { Ref: 'AWS::NoValue' }] },
          n: { 'Fn::If': ['IsDev', 'd', 'p'] },
        }),
      ).toEqual({
        n: 'd',
      });
    });

    it('excludes resources whose Condition is false', () => {
      expect(make().isIncluded('ProdOnly')).toBe(false);
      expect(make({ parameters: { Stage: 'prod' } }).isIncluded('ProdOnly')).toBe(true);
      expect(make().isIncluded('Items')).toBe(true);
    });

    it('does not take IAM policy Conditions for intrinsics', () => {
      const stmt = { Effect: 'Allow', Condition: { StringEquals: { 'aws:x': 'y' } } };
      expect(make().resolve(stmt)).toEqual(stmt);
    });
  });

  describe('dynamic references', () => {
    it('resolves a generated secret by ARN with a JSON key, the same value each time', () => {
      const r = make();
      const arn = r.resolve({ Ref: 'Secret' }) as string;
      const ref = {
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'Secret' }, ':SecretString:password::}}']],
      };
      const pw = r.resolve(ref) as string;
      expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:Api-Secret-[a-z0-9]{6}$/);
      expect(pw).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(r.resolve(ref)).toBe(pw);
      expect(r.resolve(`{{resolve:secretsmanager:${arn}:SecretString:username::}}`)).toBe('admin');
    });

    it('resolves a given SecretString by name, whole or by key', () => {
      const { resolve } = make();
      expect(resolve('x{{resolve:secretsmanager:fixed:SecretString:k::}}y')).toBe('xvy');
      expect(resolve('{{resolve:secretsmanager:fixed}}')).toBe('{"k":"v"}');
    });

    it('keeps generated secrets in the data dir across restarts', () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'secrets-'));
      try {
        const ref = '{{resolve:secretsmanager:Api-Secret:SecretString:password::}}';
        const first = make({ secrets: createSecretStore({ dataDir }) }).resolve(ref);
        const second = make({ secrets: createSecretStore({ dataDir }) }).resolve(ref);
        expect(second).toBe(first);
        expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toContain('Api/Secret');
        expect(make().resolve(ref)).not.toBe(first);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('leaves undeclared secrets and ssm references as written, with a warning', () => {
      const { resolve, lines } = make();
      expect(resolve('{{resolve:secretsmanager:other:SecretString:k::}}')).toBe(
        '{{resolve:secretsmanager:other:SecretString:k::}}',
      );
      expect(resolve('{{resolve:ssm:/p}}')).toBe('{{resolve:ssm:/p}}');
      expect(lines).toHaveLength(2);
    });
  });
});

describe('createResolver: names like Object.prototype members', () => {
  const NAMES = ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__'];

  it.each(NAMES)(
    'a Ref, Fn::GetAtt or Fn::Sub name %s is unknown unless the template declares it',
    (name) => {
      for (const t of [template, { Resources: {} }]) {
        const lines: string[] = [];
        const { resolve } = createResolver(t, { stackName: 'Api', log: (l) => lines.push(l) });
        expect(resolve({ Ref: name })).toBe(name);
        expect(resolve({ 'Fn::GetAtt': [name, 'Arn'] })).toBe(`${name}.Arn`);
        expect(resolve({ 'Fn::Sub': `\${${name}}` })).toBe(name);
        expect(
          lines.filter((l) => l.includes(`unknown ${name}`) || l.includes(`unknown resource ${name}`)),
        ).toHaveLength(2);
      }
    },
  );

  it.each(NAMES)('Fn::FindInMap, a condition and a secret key named %s find nothing inherited', (name) => {
    const { resolve, condition, lines } = make();
    expect(resolve({ 'Fn::FindInMap': [name, 'dev', 'Memory'] })).toBe('');
    expect(resolve({ 'Fn::FindInMap': ['Sizes', 'dev', name] })).toBe('');
    expect(resolve({ 'Fn::FindInMap': ['Sizes', name, 'Memory', { DefaultValue: 1 }] })).toBe(1);
    expect(condition(name)).toBe(false);
    expect(lines).toContain(`warning: unknown condition ${name}; taking it as false`);
    expect(resolve(`{{resolve:secretsmanager:fixed:SecretString:${name}::}}`)).toBe('');
    expect(lines).toContain(`warning: template: secret fixed has no key ${name}`);
  });

  it.each(NAMES)('Fn::GetAtt of an attribute %s is not one the twin knows', (name) => {
    const { resolve, lines } = make();
    expect(resolve({ 'Fn::GetAtt': ['Items', name] })).toBe(`Items.${name}`);
    expect(resolve({ 'Fn::Sub': `\${Items.${name}}` })).toBe(`Items.${name}`);
    expect(lines).toContain(
      `warning: template: Fn::GetAtt Items.${name} (AWS::DynamoDB::Table) is not known locally; using a placeholder`,
    );
  });

  it('keeps members and Fn::Sub variables named __proto__ as data', () => {
    const { resolve } = make();
    const v = resolve(JSON.parse('{"__proto__":{"Ref":"Items"},"a":1}')) as Record<string, unknown>;
    expect(Object.entries(v)).toEqual([
      ['__proto__', 'Api-Items'],
      ['a', 1],
    ]);
    expect(
      resolve({ 'Fn::Sub': ['${__proto__}-${toString}', JSON.parse('{"__proto__":"p","toString":"t"}')] }),
    ).toBe('p-t');
  });
});
