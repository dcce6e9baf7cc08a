import { describe, expect, it } from 'vitest';
import { createResolver } from '../assembly/resolver';
import type { CfnTemplate } from '../types';
import { evaluate } from './evaluate';
import { functionPrincipals } from './principals';

const tableArn = { 'Fn::GetAtt': ['Table', 'Arn'] };
const fn = (role: unknown) => ({ Type: 'AWS::Lambda::Function', Properties: { Role: role } });
const template: CfnTemplate = {
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Other: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'other' } },
    WriterRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Policies: [
          {
            PolicyName: 'inline',
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn }],
            },
          },
        ],
        ManagedPolicyArns: [
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
              ],
            ],
          },
          { Ref: 'Managed' },
          'arn:aws:iam::aws:policy/SomethingNew',
        ],
      },
    },
    WriterPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'WriterPolicy',
        Roles: [{ Ref: 'WriterRole' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: tableArn },
            {
              Effect: 'Allow',
              Action: 'dynamodb:Query',
              Resource: { 'Fn::Join': ['', [tableArn, '/index/*']] },
              Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
            },
          ],
        },
      },
    },
    Managed: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 'dynamodb:Scan', Resource: { 'Fn::GetAtt': ['Other', 'Arn'] } },
          ],
        },
      },
    },
    ReaderRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'reader',
        ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess'],
        PermissionsBoundary: { Ref: 'Boundary' },
      },
    },
    Boundary: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] },
      },
    },
    BareRole: { Type: 'AWS::IAM::Role', Properties: {} },
    Writer: fn({ 'Fn::GetAtt': ['WriterRole', 'Arn'] }),
    Reader: fn({ 'Fn::GetAtt': ['ReaderRole', 'Arn'] }),
    Bare: fn({ 'Fn::GetAtt': ['BareRole', 'Arn'] }),
    Imported: fn('arn:aws:iam::123456789012:role/elsewhere'),
  },
};

const resolver = createResolver(template, { stackName: 'S' });
const lines: string[] = [];
const principals = functionPrincipals(
  template,
  resolver,
  ['Writer', 'Reader', 'Bare', 'Imported'].map((id) => ({ logicalId: id, functionName: `S-${id}` })),
  { accountId: '000000000000', log: (l) => lines.push(l) },
);
const byId = (id: string) => principals.find((p) => p.functionLogicalId === id)!;
const T = 'arn:aws:dynamodb:us-east-1:000000000000:table/S-Table';
const O = 'arn:aws:dynamodb:us-east-1:000000000000:table/other';

describe('functionPrincipals', () => {
  it('names the role session as AWS does', () => {
    expect(byId('Writer')).toMatchObject({
      roleName: 'S-WriterRole',
      sessionArn: 'arn:aws:sts::000000000000:assumed-role/S-WriterRole/S-Writer',
      enforced: true,
    });
  });

  it('collects inline policies, AWS::IAM::Policy resources and template managed policies, resolved', () => {
    const p = byId('Writer').policies;
    expect(evaluate(p, 'dynamodb:GetItem', T).allowed).toBe(true);
    expect(evaluate(p, 'dynamodb:PutItem', T).allowed).toBe(true);
    expect(evaluate(p, 'dynamodb:Scan', O).allowed).toBe(true);
    expect(evaluate(p, 'dynamodb:UpdateItem', T).allowed).toBe(false);
    expect(evaluate(p, 'dynamodb:Scan', T).allowed).toBe(false);
  });

  it('grants nothing for a conditional Allow, and warns once naming it', () => {
    expect(evaluate(byId('Writer').policies, 'dynamodb:Query', `${T}/index/gsi1`).allowed).toBe(false);
    expect(
      lines.filter((l) => l.includes('WriterPolicy statement 2') && l.includes('Condition')),
    ).toHaveLength(1);
  });

  it('warns about an unknown AWS managed policy, and knows the common ones', () => {
    expect(
      lines.some((l) => l.includes('arn:aws:iam::aws:policy/SomethingNew') && l.includes('grants nothing')),
    ).toBe(true);
    expect(lines.some((l) => l.includes('AWSLambdaBasicExecutionRole'))).toBe(false);
  });

  it('applies AWS managed policies and the permissions boundary', () => {
    const p = byId('Reader');
    expect(p.roleName).toBe('reader');
    expect(evaluate(p.policies, 'dynamodb:GetItem', T).allowed).toBe(true);
    // ReadOnlyAccess allows Query, the boundary does not.
    expect(evaluate(p.policies, 'dynamodb:Query', T)).toMatchObject({
      allowed: false,
      policyType: 'permissions boundary',
    });
    expect(evaluate(p.policies, 'dynamodb:PutItem', T).allowed).toBe(false);
  });

  it('denies everything to a role without policies', () => {
    expect(byId('Bare').enforced).toBe(true);
    expect(evaluate(byId('Bare').policies, 'dynamodb:GetItem', T).allowed).toBe(false);
  });

  it('does not enforce a role the template does not define, and says so', () => {
    expect(byId('Imported')).toMatchObject({
      enforced: false,
      sessionArn: 'arn:aws:sts::000000000000:assumed-role/elsewhere/S-Imported',
    });
    expect(lines.some((l) => l.includes('Imported') && l.includes('not checked'))).toBe(true);
  });

  it('takes managed policy names as data: toString, constructor or __proto__ are not known policies', () => {
    const named = (n: string) => `arn:aws:iam::aws:policy/${n}`;
    const t: CfnTemplate = {
      Resources: {
        OddRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            ManagedPolicyArns: [named('constructor'), named('__proto__')],
            PermissionsBoundary: named('toString'),
          },
        },
        Odd: fn({ 'Fn::GetAtt': ['OddRole', 'Arn'] }),
      },
    };
    const out: string[] = [];
    const [p] = functionPrincipals(
      t,
      createResolver(t, { stackName: 'S' }),
      [{ logicalId: 'Odd', functionName: 'S-Odd' }],
      {
        accountId: '000000000000',
        log: (l) => out.push(l),
      },
    );
    for (const n of ['constructor', '__proto__'])
      expect(
        out.some((l) => l.includes(named(n)) && l.includes('grants nothing')),
        n,
      ).toBe(true);
    expect(out.some((l) => l.includes(`permissions boundary ${named('toString')} is unknown`))).toBe(true);
    expect(p?.policies.boundary).toBeUndefined();
  });
});
