import { describe, expect, it } from 'vitest';
import { resourcePattern } from '../../iam/evaluate';
import { evaluatePolicy as decide, parseStatements, type Statement } from './policy';

const arn = 'arn:aws:execute-api:eu-west-1:123:api/dev/GET/items/7';
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
/** The decision in the three words API Gateway's answers distinguish. */
const evaluatePolicy = (statements: readonly Statement[], methodArn: string) => {
  const d = decide(statements, methodArn);
  return d.allowed ? 'ALLOW' : d.kind === 'explicit' ? 'EXPLICIT_DENY' : 'IMPLICIT_DENY';
};
const st = (s: unknown) => {
  const r = parseStatements(s);
  if (typeof r === 'string') throw new Error(r);
  return r;
};

describe('Function: evaluatePolicy', () => {
  it('allows with a matching Allow, wildcards * and ? included', () => {
    expect(
      evaluatePolicy(st(doc({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: arn })), arn),
    ).toBe('ALLOW');
    expect(
      evaluatePolicy(
        st(
          doc({ Effect: 'Allow', Action: 'execute-api:*', Resource: ['arn:aws:execute-api:*:*:api/dev/*'] }),
        ),
        arn,
      ),
    ).toBe('ALLOW');
    expect(
      evaluatePolicy(
        st(
          doc({
            Effect: 'Allow',
            Action: '*',
            Resource: 'arn:aws:execute-api:eu-west-1:123:api/dev/GET/items/?',
          }),
        ),
        arn,
      ),
    ).toBe('ALLOW');
  });

  it('denies explicitly over any Allow, implicitly without a matching Allow', () => {
    const allow = { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' };
    expect(
      evaluatePolicy(
        st(
          doc(allow, {
            Effect: 'Deny',
            Action: 'execute-api:Invoke',
            Resource: 'arn:aws:execute-api:*:*:*/GET/*',
          }),
        ),
        arn,
      ),
    ).toBe('EXPLICIT_DENY');
    // Was `Resource: '*/GET/*'` -> EXPLICIT_DENY, a `*` crossing the ARN's colons from its first segment. IAM
    // keeps a `*` inside its segment unless it ends it ("IAM JSON policy elements: Resource"), so that Deny
    // covers no method ARN: the Allow decides.
    expect(
      evaluatePolicy(
        st(doc(allow, { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*/GET/*' })),
        arn,
      ),
    ).toBe('ALLOW');
    expect(
      evaluatePolicy(st(doc({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*/POST/*' })), arn),
    ).toBe('IMPLICIT_DENY');
    expect(evaluatePolicy(st(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })), arn)).toBe(
      'IMPLICIT_DENY',
    );
  });

  it('supports NotResource and a single Statement object', () => {
    expect(
      evaluatePolicy(
        st({ Statement: { Effect: 'Deny', Action: 'execute-api:Invoke', NotResource: '*/POST/*' } }),
        arn,
      ),
    ).toBe('EXPLICIT_DENY');
  });
});

describe('Function: evaluatePolicy, conditions', () => {
  // The twin evaluates no condition keys, and treats a Condition strictly everywhere (local/iam/README.md): the
  // old evaluator ignored it, so an Allow meant only for one source IP allowed every caller.
  it('lets a conditional Allow grant nothing, and a conditional Deny apply', () => {
    const cond = { Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } };
    expect(
      evaluatePolicy(st(doc({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: arn, ...cond })), arn),
    ).toBe('IMPLICIT_DENY');
    const allow = { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: arn };
    expect(
      evaluatePolicy(
        st(doc(allow, { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: arn, ...cond })),
        arn,
      ),
    ).toBe('EXPLICIT_DENY');
  });
});

describe('Function: parseStatements', () => {
  it('rejects malformed documents', () => {
    expect(parseStatements(undefined)).toBeTypeOf('string');
    expect(parseStatements({})).toBeTypeOf('string');
    expect(parseStatements(doc({ Effect: 'allow', Action: 'x', Resource: '*' }))).toBeTypeOf('string');
    expect(parseStatements(doc({ Effect: 'Allow', Resource: '*' }))).toBeTypeOf('string');
  });

  // "IAM JSON policy elements: NotAction": a statement has an Action or a NotAction, not both (likewise
  // Resource/NotResource); IAM rejects such a policy, and the old reader took the Action and ignored the rest.
  it('rejects a statement with both Action and NotAction, or a non-string Resource', () => {
    expect(
      parseStatements(
        doc({ Effect: 'Allow', Action: 'execute-api:Invoke', NotAction: 's3:*', Resource: '*' }),
      ),
    ).toBeTypeOf('string');
    expect(parseStatements(doc({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [arn, 7] }))).toBe(
      'policyDocument statement 1: resource 7 did not resolve to a string',
    );
  });

  it('matches IAM wildcards literally otherwise', () => {
    expect(resourcePattern('a.b*').test('a.bcd')).toBe(true);
    expect(resourcePattern('a.b*').test('axbcd')).toBe(false);
  });
});

describe('Function: evaluatePolicy, against AWS examples', () => {
  const invoke = (Resource: string | string[], Effect = 'Allow') =>
    st(doc({ Effect, Action: 'execute-api:Invoke', Resource }));
  const m = (region: string, api: string, rest: string) =>
    `arn:aws:execute-api:${region}:111122223333:${api}/${rest}`;

  // API Gateway Developer Guide, "IAM policy examples for API execution permissions": "call any POST method
  // along the path of mydemoresource, in the stage of test, for the API ... a123456789 ... us-east-1".
  it('allows any POST under a path in one stage (arn:aws:execute-api:us-east-1:*:a123456789/test/POST/mydemoresource/*)', () => {
    const p = invoke('arn:aws:execute-api:us-east-1:*:a123456789/test/POST/mydemoresource/*');
    expect(evaluatePolicy(p, m('us-east-1', 'a123456789', 'test/POST/mydemoresource/child'))).toBe('ALLOW');
    expect(evaluatePolicy(p, m('us-east-1', 'a123456789', 'test/POST/mydemoresource/a/b'))).toBe('ALLOW');
    expect(evaluatePolicy(p, m('us-east-1', 'a123456789', 'test/GET/mydemoresource/child'))).toBe(
      'IMPLICIT_DENY',
    );
    expect(evaluatePolicy(p, m('us-east-1', 'a123456789', 'prod/POST/mydemoresource/child'))).toBe(
      'IMPLICIT_DENY',
    );
    expect(evaluatePolicy(p, m('eu-west-1', 'a123456789', 'test/POST/mydemoresource/child'))).toBe(
      'IMPLICIT_DENY',
    );
  });

  // Same page: "call any method on the resource path of petstorewalkthrough/pets, in any stage ... in any AWS
  // region".
  it('allows any method of one path in any stage and region (arn:aws:execute-api:*:*:a123456789/*/*/petstorewalkthrough/pets)', () => {
    const p = invoke('arn:aws:execute-api:*:*:a123456789/*/*/petstorewalkthrough/pets');
    expect(evaluatePolicy(p, m('eu-west-1', 'a123456789', 'prod/DELETE/petstorewalkthrough/pets'))).toBe(
      'ALLOW',
    );
    expect(evaluatePolicy(p, m('eu-west-1', 'b987654321', 'prod/DELETE/petstorewalkthrough/pets'))).toBe(
      'IMPLICIT_DENY',
    );
  });

  // API Gateway Developer Guide, "Control access for invoking an API": Allow `.../api-id/*/GET/pets`, Deny
  // `.../api-id/*/POST/pets` lets a user list pets but not add one.
  it('lets a user GET /pets but not POST it (Allow */GET/pets, Deny */POST/pets)', () => {
    const p = st(
      doc(
        {
          Effect: 'Allow',
          Action: 'execute-api:Invoke',
          Resource: 'arn:aws:execute-api:us-east-1:111111111111:api-id/*/GET/pets',
        },
        {
          Effect: 'Deny',
          Action: 'execute-api:Invoke',
          Resource: 'arn:aws:execute-api:us-east-1:111111111111:api-id/*/POST/pets',
        },
      ),
    );
    const arnOf = (rest: string) => `arn:aws:execute-api:us-east-1:111111111111:api-id/${rest}`;
    expect(evaluatePolicy(p, arnOf('prod/GET/pets'))).toBe('ALLOW');
    expect(evaluatePolicy(p, arnOf('prod/POST/pets'))).toBe('EXPLICIT_DENY');
  });

  // re:Post "Can I use a wildcard for the HTTP verb with a specific resource path ...": a trailing `*` matches
  // every sub-path, `GET/user/*` also allows `GET/user/{id}/sensitive`; a `*` inside the path matches one or more
  // levels (IAM: `/` "is treated the same as any other valid character").
  it('lets * cross / in the path part', () => {
    const p = invoke('arn:aws:execute-api:us-east-1:111122223333:api/dev/GET/user/*');
    expect(evaluatePolicy(p, m('us-east-1', 'api', 'dev/GET/user/42/sensitive'))).toBe('ALLOW');
    const q = invoke('arn:aws:execute-api:us-east-1:111122223333:api/dev/*/foo/bar/*/allowed');
    expect(evaluatePolicy(q, m('us-east-1', 'api', 'dev/PUT/foo/bar/7/allowed'))).toBe('ALLOW');
    expect(evaluatePolicy(q, m('us-east-1', 'api', 'dev/PUT/foo/bar/7/other'))).toBe('IMPLICIT_DENY');
  });

  // aws/aws-sam-cli#5777: `.../Prod/*/*` permits the root resource, method ARN `.../Prod/GET/`, on AWS.
  it('lets * match the empty string (the root resource)', () => {
    const p = invoke('arn:aws:execute-api:us-east-1:123456789012:1234567890/Prod/*/*');
    expect(evaluatePolicy(p, 'arn:aws:execute-api:us-east-1:123456789012:1234567890/Prod/GET/')).toBe(
      'ALLOW',
    );
  });

  // dherault/serverless-offline#560: on API Gateway, `.../POST/foo/*/baz` authorizes `.../POST/foo/bar:bar/baz`.
  // Where the two old evaluators disagreed the other way: the role evaluator kept this `*` off the colon.
  it('lets * in the path cross a colon that belongs to the path', () => {
    const p = invoke('arn:aws:execute-api:us-east-1:111122223333:random-api-id/dev/POST/foo/*/baz');
    expect(evaluatePolicy(p, m('us-east-1', 'random-api-id', 'dev/POST/foo/bar/baz'))).toBe('ALLOW');
    expect(evaluatePolicy(p, m('us-east-1', 'random-api-id', 'dev/POST/foo/bar:bar/baz'))).toBe('ALLOW');
  });

  // dherault/serverless-offline#1794, quoting "IAM JSON policy elements: Resource": a `*` that ends a segment
  // "can expand to match beyond the colon boundaries", so `arn:aws:execute-api:ap-southeast-2:*` is every API of
  // the region. A `*` that does not end its segment stays in it.
  it('lets a segment-final * cross colons, and no other', () => {
    expect(
      evaluatePolicy(invoke('arn:aws:execute-api:ap-southeast-2:*'), m('ap-southeast-2', 'a', 'dev/GET/x')),
    ).toBe('ALLOW');
    expect(
      evaluatePolicy(invoke('arn:aws:execute-api:ap-southeast-2:*'), m('eu-west-1', 'a', 'dev/GET/x')),
    ).toBe('IMPLICIT_DENY');
    expect(evaluatePolicy(invoke('arn:aws:execute-api:*:*:*'), m('eu-west-1', 'a', 'dev/GET/x'))).toBe(
      'ALLOW',
    );
    // Were a `*` free to cross colons anywhere (the gateway's old rule), `eu*3` would reach into the account.
    expect(
      evaluatePolicy(invoke('arn:aws:execute-api:eu*3:a/dev/GET/x'), m('eu-west-1', 'a', 'dev/GET/x')),
    ).toBe('IMPLICIT_DENY');
  });

  // "IAM JSON policy elements: Resource": ARNs are case-sensitive; "...: Action": "The prefix and the action
  // name are case insensitive".
  it('compares the method ARN case-sensitively and the action case-insensitively', () => {
    const p = st(
      doc({
        Effect: 'Allow',
        Action: 'EXECUTE-API:invoke',
        Resource: 'arn:aws:execute-api:*:*:api/dev/GET/items',
      }),
    );
    expect(evaluatePolicy(p, m('eu-west-1', 'api', 'dev/GET/items'))).toBe('ALLOW');
    expect(evaluatePolicy(p, m('eu-west-1', 'api', 'dev/GET/Items'))).toBe('IMPLICIT_DENY');
    expect(evaluatePolicy(p, m('eu-west-1', 'api', 'dev/get/items'))).toBe('IMPLICIT_DENY');
  });
});
