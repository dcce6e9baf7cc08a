import { describe, expect, it } from 'vitest';
import { accessDeniedMessage, actionPattern, compilePolicy, evaluate, resourcePattern } from './policy';

const T = 'arn:aws:dynamodb:us-east-1:000000000000:table/T';
const doc = (...Statement: Record<string, unknown>[]) => ({ Version: '2012-10-17', Statement });
const set = (...Statement: Record<string, unknown>[]) => ({
  identity: compilePolicy(doc(...Statement), 'P'),
});

describe('patterns', () => {
  it('matches actions case-insensitively with * and ?', () => {
    expect(actionPattern('dynamodb:Get*').test('dynamodb:GetItem')).toBe(true);
    expect(actionPattern('DynamoDB:getitem').test('dynamodb:GetItem')).toBe(true);
    expect(actionPattern('dynamodb:?etItem').test('dynamodb:GetItem')).toBe(true);
    expect(actionPattern('dynamodb:Get*').test('dynamodb:BatchGetItem')).toBe(false);
    expect(actionPattern('*').test('dynamodb:PutItem')).toBe(true);
  });

  it('matches resources case-sensitively, wildcards within segments, a trailing * across colons', () => {
    expect(resourcePattern('*').test(T)).toBe(true);
    expect(resourcePattern('arn:aws:dynamodb:*:*:table/T').test(T)).toBe(true);
    expect(resourcePattern('arn:aws:dynamodb:us-east-1:000000000000:table/t').test(T)).toBe(false);
    expect(resourcePattern(`${T}/index/*`).test(`${T}/index/gsi1`)).toBe(true);
    expect(resourcePattern(`${T}/index/*`).test(T)).toBe(false);
    expect(resourcePattern(`${T}*`).test(`${T}/index/gsi1`)).toBe(true);
    expect(resourcePattern('arn:aws:dynamodb:us-east-?:000000000000:table/T').test(T)).toBe(true);
    expect(resourcePattern('arn:aws:dynamodb:us*1:000000000000:table/T').test(T)).toBe(true);
    // A * inside a segment does not cross a colon.
    expect(resourcePattern('arn:aws:dyn*000000000000:table/T').test(T)).toBe(false);
    expect(resourcePattern('arn:aws:dynamodb:*').test(T)).toBe(true);
  });
});

describe('evaluate', () => {
  it('allows what an Allow covers and nothing else (implicit deny)', () => {
    const p = set({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: T });
    expect(evaluate(p, 'dynamodb:PutItem', T).allowed).toBe(true);
    const d = evaluate(p, 'dynamodb:UpdateItem', T);
    expect(d).toMatchObject({ allowed: false, kind: 'implicit', policyType: 'identity-based policy' });
    expect(evaluate(p, 'dynamodb:GetItem', `${T}/index/gsi1`).allowed).toBe(false);
  });

  it('lets an explicit Deny win over any Allow, in any order', () => {
    const p = set(
      { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: '*' },
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
    );
    expect(evaluate(p, 'dynamodb:GetItem', T).allowed).toBe(true);
    const d = evaluate(p, 'dynamodb:DeleteItem', T);
    expect(d).toMatchObject({ allowed: false, kind: 'explicit' });
    expect(d.allowed === false && d.by?.source).toBe('P statement 1');
  });

  it('supports NotAction and NotResource', () => {
    const p = set(
      { Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: T },
      { Effect: 'Deny', Action: 'dynamodb:*', NotResource: [T, `${T}/index/*`] },
    );
    expect(evaluate(p, 'dynamodb:PutItem', T).allowed).toBe(true);
    expect(evaluate(p, 'dynamodb:DeleteItem', T).allowed).toBe(false);
    expect(
      evaluate(p, 'dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/Other'),
    ).toMatchObject({
      allowed: false,
      kind: 'explicit',
    });
  });

  it('does not let a conditional Allow grant, and applies a conditional Deny', () => {
    const cond = { Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['x'] } } };
    const p = set({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: T, ...cond });
    const d = evaluate(p, 'dynamodb:GetItem', T);
    expect(d).toMatchObject({ allowed: false, kind: 'implicit' });
    expect(d.allowed === false && d.conditionalAllow?.source).toBe('P statement 1');
    const q = set(
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: T },
      { Effect: 'Deny', Action: 'dynamodb:PutItem', Resource: T, ...cond },
    );
    expect(evaluate(q, 'dynamodb:PutItem', T)).toMatchObject({ allowed: false, kind: 'explicit' });
    // An empty Condition block is no condition.
    expect(
      evaluate(set({ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} }), 'dynamodb:Scan', T)
        .allowed,
    ).toBe(true);
  });

  it('requires the permissions boundary to allow too', () => {
    const identity = compilePolicy(doc({ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }), 'P');
    const boundary = compilePolicy(doc({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }), 'B');
    expect(evaluate({ identity, boundary }, 'dynamodb:GetItem', T).allowed).toBe(true);
    expect(evaluate({ identity, boundary }, 'dynamodb:PutItem', T)).toMatchObject({
      allowed: false,
      kind: 'implicit',
      policyType: 'permissions boundary',
    });
  });

  it('skips malformed statements with a warning', () => {
    const lines: string[] = [];
    const st = compilePolicy(
      doc(
        { Effect: 'Permit', Action: '*', Resource: '*' },
        { Effect: 'Allow', Action: '*', NotAction: 'x', Resource: '*' },
        { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['X', 'Arn'] } },
      ),
      'P',
      (l) => lines.push(l),
    );
    expect(st).toHaveLength(1);
    expect(lines).toHaveLength(3);
    expect(evaluate({ identity: st }, 'dynamodb:GetItem', T).allowed).toBe(false);
  });

  it('accepts a single statement object', () => {
    const st = compilePolicy(
      { Statement: { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: T } },
      'P',
    );
    expect(evaluate({ identity: st }, 'dynamodb:GetItem', T).allowed).toBe(true);
  });
});

describe('accessDeniedMessage', () => {
  const who = 'arn:aws:sts::000000000000:assumed-role/R/fn';
  it('words an implicit deny as AWS does', () => {
    const d = evaluate(
      set({ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: T }),
      'dynamodb:UpdateItem',
      T,
    );
    if (d.allowed) throw new Error('allowed');
    expect(accessDeniedMessage(who, 'dynamodb:UpdateItem', T, d)).toBe(
      `User: ${who} is not authorized to perform: dynamodb:UpdateItem on resource: ${T} because no identity-based policy allows the dynamodb:UpdateItem action`,
    );
  });
  it('words an explicit deny as AWS does', () => {
    const d = evaluate(set({ Effect: 'Deny', Action: '*', Resource: '*' }), 'dynamodb:GetItem', T);
    if (d.allowed) throw new Error('allowed');
    expect(accessDeniedMessage(who, 'dynamodb:GetItem', T, d)).toBe(
      `User: ${who} is not authorized to perform: dynamodb:GetItem on resource: ${T} with an explicit deny in an identity-based policy`,
    );
  });
});
