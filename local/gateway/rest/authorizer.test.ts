import { describe, expect, it } from 'vitest';
import { identityValues, parseAuthorizerAnswer } from './authorizer';
import type { Authorizer, IdentitySource } from './model';

const NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];

const authorizer = (...identitySources: IdentitySource[]): Authorizer => ({
  logicalId: 'Auth',
  authorizerId: 'a1',
  type: 'REQUEST',
  functionLogicalId: 'AuthFn',
  identitySources,
  ttlSeconds: 0,
});

/** `{ [name]: value }` with `name` an own member even when it is `__proto__`, as JSON.parse makes it. */
const own = (name: string, value: unknown) =>
  JSON.parse(`{${JSON.stringify(name)}:${JSON.stringify(value)}}`) as Record<string, string>;

describe('identityValues: names like Object.prototype members', () => {
  const none = { headers: {}, query: {}, stageVariables: {}, context: { identity: {} } };

  it.each(NAMES)('finds no inherited %s in the query, stage variables, context or headers', (name) => {
    for (const kind of ['header', 'querystring', 'stageVariable', 'context'] as const) {
      expect(identityValues(authorizer({ kind, name }), none)).toBeUndefined();
    }
    expect(identityValues(authorizer({ kind: 'context', name: `identity.${name}` }), none)).toBeUndefined();
  });

  it.each(NAMES)('reads %s where the request has it', (name) => {
    const inputs = {
      headers: own(name, 'h'),
      query: own(name, 'q'),
      stageVariables: own(name, 's'),
      context: { identity: own(name, 'c') },
    };
    const a = authorizer(
      { kind: 'header', name },
      { kind: 'querystring', name },
      { kind: 'stageVariable', name },
      { kind: 'context', name: `identity.${name}` },
    );
    expect(identityValues(a, inputs)).toEqual(['h', 'q', 's', 'c']);
  });
});

describe('parseAuthorizerAnswer: context keys like Object.prototype members', () => {
  it('keeps each as a member of the context', () => {
    const context = JSON.parse(JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, n.length]))));
    const answer = parseAuthorizerAnswer({ principalId: 'u', policyDocument: allowAll, context });
    if (typeof answer === 'string') throw new Error(answer);
    expect(Object.entries(answer.context)).toEqual(NAMES.map((n) => [n, String(n.length)]));
  });
});

const allowAll = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }],
};
