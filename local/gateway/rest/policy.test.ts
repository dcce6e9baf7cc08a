import { describe, expect, it } from 'vitest';
import { evaluatePolicy, iamPattern, parseStatements } from './policy';

const arn = 'arn:aws:execute-api:eu-west-1:123:api/dev/GET/items/7';
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
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
        st(doc(allow, { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*/GET/*' })),
        arn,
      ),
    ).toBe('EXPLICIT_DENY');
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

describe('Function: parseStatements', () => {
  it('rejects malformed documents', () => {
    expect(parseStatements(undefined)).toBeTypeOf('string');
    expect(parseStatements({})).toBeTypeOf('string');
    expect(parseStatements(doc({ Effect: 'allow', Action: 'x', Resource: '*' }))).toBeTypeOf('string');
    expect(parseStatements(doc({ Effect: 'Allow', Resource: '*' }))).toBeTypeOf('string');
  });

  it('matches IAM wildcards literally otherwise', () => {
    expect(iamPattern('a.b*').test('a.bcd')).toBe(true);
    expect(iamPattern('a.b*').test('axbcd')).toBe(false);
  });
});
