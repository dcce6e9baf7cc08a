import { describe, expect, it } from 'vitest';
import {
  accessDeniedMessage,
  actionPattern,
  compilePolicy,
  evaluate,
  readPolicy,
  resourcePattern,
} from './evaluate';

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

describe('resourcePattern, against "IAM JSON policy elements: Resource" (IAM User Guide)', () => {
  // "The asterisk (*) character can expand to replace everything within a segment, including characters like a
  // forward slash (/) ... consider the following Amazon S3 ARN as the same wildcard expansion logic applies to
  // all services": arn:aws:s3:::amzn-s3-demo-bucket/*/test/*, with the objects it does and does not match.
  it('expands * over / in the resource segment (amzn-s3-demo-bucket/*/test/*)', () => {
    const p = resourcePattern('arn:aws:s3:::amzn-s3-demo-bucket/*/test/*');
    for (const key of [
      '1/test/object.jpg',
      '1/2/test/object.jpg',
      '1/2/test/3/object.jpg',
      '1/2/3/test/4/object.jpg',
      '1///test///object.jpg',
      '1/test/.jpg',
      '/test/object.jpg',
      '1/test/',
    ])
      expect(p.test(`arn:aws:s3:::amzn-s3-demo-bucket/${key}`), key).toBe(true);
    for (const key of ['1-test/object.jpg', 'test/object.jpg', '1/2/test.jpg'])
      expect(p.test(`arn:aws:s3:::amzn-s3-demo-bucket/${key}`), key).toBe(false);
  });

  // "The following example refers to all IAM users whose path is /accounting"; "In the Resource element, the
  // IAM user name is case sensitive".
  it('matches a path prefix, case-sensitively (user/accounting/*, user/Bob)', () => {
    const p = resourcePattern('arn:aws:iam::123456789012:user/accounting/*');
    expect(p.test('arn:aws:iam::123456789012:user/accounting/alice')).toBe(true);
    expect(p.test('arn:aws:iam::123456789012:user/accounting/eu/alice')).toBe(true);
    expect(p.test('arn:aws:iam::123456789012:user/marketing/alice')).toBe(false);
    expect(
      resourcePattern('arn:aws:iam::123456789012:user/Bob').test('arn:aws:iam::123456789012:user/bob'),
    ).toBe(false);
  });

  // "If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon
  // boundaries"; a `*` or `?` elsewhere stays within its segment ("within the individual segments of an ARN (the
  // parts separated by colons)").
  it('lets only a segment-final * cross the colons between segments', () => {
    expect(resourcePattern('arn:aws:dynamodb:*:table/T').test(T)).toBe(true);
    expect(resourcePattern('arn:aws:dynamodb:us-east-1*').test(T)).toBe(true);
    expect(resourcePattern('arn:aws:dynamodb:us*0:table/T').test(T)).toBe(false);
    expect(resourcePattern('arn:aws:dynamodb:us-east-1?000000000000:table/T').test(T)).toBe(false);
  });

  // The resource segment is the rest of the ARN, colons included: Lambda's `function:<name>:<qualifier>`, an S3
  // key with a colon. There, * and ? match any character (dherault/serverless-offline#560: API Gateway matches
  // `.../POST/foo/*/baz` against `.../POST/foo/bar:bar/baz`; scality/Arsenal#2638 for S3 keys). The role
  // evaluator used to stop this `*` at the colon.
  it('treats colons in the resource segment as ordinary characters', () => {
    expect(
      resourcePattern('arn:aws:s3:::bucket/*/report.csv').test('arn:aws:s3:::bucket/data:2024/report.csv'),
    ).toBe(true);
    expect(
      resourcePattern('arn:aws:lambda:us-east-1:1:function:fn:?').test(
        'arn:aws:lambda:us-east-1:1:function:fn:7',
      ),
    ).toBe(true);
    expect(
      resourcePattern('arn:aws:lambda:us-east-1:1:function:*').test(
        'arn:aws:lambda:us-east-1:1:function:fn:prod',
      ),
    ).toBe(true);
    expect(resourcePattern('arn:aws:s3:::bucket/a?b').test('arn:aws:s3:::bucket/a:b')).toBe(true);
  });
});

describe('evaluate, against "Policy evaluation logic" (IAM User Guide)', () => {
  // "By default, all requests are implicitly denied"; "An explicit deny overrides an explicit allow".
  it('denies implicitly with no policy, and an explicit Deny beats an Allow of the same request', () => {
    expect(evaluate({ identity: [] }, 'dynamodb:GetItem', T)).toMatchObject({
      allowed: false,
      kind: 'implicit',
    });
    const p = set(
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: T },
      { Effect: 'Deny', Action: 'dynamodb:GetItem', Resource: T },
    );
    expect(evaluate(p, 'dynamodb:GetItem', T)).toMatchObject({ allowed: false, kind: 'explicit' });
  });

  // "IAM JSON policy elements: Action": "iam:ListAccessKeys is the same as IAM:listaccesskeys".
  it('reads action names case-insensitively (iam:ListAccessKeys = IAM:listaccesskeys)', () => {
    const p = set({ Effect: 'Allow', Action: 'IAM:listaccesskeys', Resource: '*' });
    expect(evaluate(p, 'iam:ListAccessKeys', 'arn:aws:iam::123456789012:user/Bob').allowed).toBe(true);
  });

  // "IAM JSON policy elements: NotAction": an Allow with NotAction iam:* on Resource * allows every action
  // outside IAM; "...: NotResource": a Deny with NotResource denies everything but the listed resources.
  it('reads NotAction and NotResource as "everything but"', () => {
    const p = set({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
    expect(evaluate(p, 'dynamodb:PutItem', T).allowed).toBe(true);
    expect(evaluate(p, 'iam:CreateUser', '*').allowed).toBe(false);
    const q = set(
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 's3:*',
        NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'],
      },
    );
    expect(evaluate(q, 's3:GetObject', 'arn:aws:s3:::HRBucket/Payroll/jan.csv').allowed).toBe(true);
    expect(evaluate(q, 's3:GetObject', 'arn:aws:s3:::HRBucket/Other')).toMatchObject({ kind: 'explicit' });
  });
});

describe('readPolicy', () => {
  // An IAM policy variable, written as IAM spells it.
  const variable = ['$', '{aws:username}'].join('');

  it('says what it could not take as written, and how it went on', () => {
    expect(readPolicy(undefined, 'P').issues).toEqual([
      { message: 'P: is not an object', outcome: 'dropped', document: true },
    ]);
    expect(readPolicy({}, 'P').issues[0]).toMatchObject({ message: 'P: has no Statement', document: true });
    const r = readPolicy(
      {
        Statement: ['x', { Sid: 'S', Effect: 'Allow', Action: [1], Resource: `arn:aws:s3:::b/${variable}` }],
      },
      'P',
    );
    expect(r.statements).toHaveLength(1);
    expect(r.issues).toEqual([
      { message: 'P statement 1: is not an object', outcome: 'dropped' },
      { message: 'P statement 2 (S): action 1 is not a string', outcome: 'kept' },
      {
        message: `P statement 2 (S): policy variable in arn:aws:s3:::b/${variable} is matched literally`,
        outcome: 'literal',
      },
    ]);
  });

  it('treats a Condition that is not an object as a condition (the strict reading)', () => {
    const [st] = readPolicy(
      { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: 'x' } },
      'P',
    ).statements;
    expect(st?.conditional).toBe(true);
  });
});
