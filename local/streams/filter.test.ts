import { describe, expect, it } from 'vitest';
import { type FilterPattern, matchesPattern, parseFilterPattern, passesFilters } from './filter';
import { streamRecord } from './test-records';

const parse = (p: unknown): FilterPattern => {
  const r = parseFilterPattern(JSON.stringify(p));
  if (!r.ok) throw new Error(r.reason);
  return r.pattern;
};

const item = streamRecord('1', {
  eventName: 'MODIFY',
  dynamodb: {
    ApproximateCreationDateTime: 1,
    Keys: { pk: { S: 'T#acme#R#items' } },
    NewImage: {
      _type: { S: 'item' },
      name: { S: 'Widget' },
      price: { N: '5' },
      tags: { SS: ['red', 'blue'] },
      gone: { NULL: true },
    },
    OldImage: { _type: { S: 'item' } },
    SequenceNumber: '1',
    SizeBytes: 1,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

describe('Function: matchesPattern', () => {
  it('matches our stack’s filters: item records, and REMOVEs of items', () => {
    const items = parse({ dynamodb: { NewImage: { _type: { S: ['item'] } } } });
    const removes = parse({ eventName: ['REMOVE'], dynamodb: { OldImage: { _type: { S: ['item'] } } } });
    expect(matchesPattern(items, item)).toBe(true);
    expect(matchesPattern(removes, item)).toBe(false);
    const history = streamRecord('2', {
      dynamodb: { ...item.dynamodb, NewImage: { _type: { S: 'history' } } },
    });
    expect(matchesPattern(items, history)).toBe(false);
    const removed = streamRecord('3', {
      eventName: 'REMOVE',
      dynamodb: { ...item.dynamodb, NewImage: undefined, OldImage: { _type: { S: 'item' } } },
    });
    expect(matchesPattern(items, removed)).toBe(false);
    expect(matchesPattern(removes, removed)).toBe(true);
  });

  it('ORs the values of a leaf and ANDs the keys', () => {
    expect(matchesPattern(parse({ eventName: ['INSERT', 'MODIFY'] }), item)).toBe(true);
    expect(matchesPattern(parse({ eventName: ['MODIFY'], awsRegion: ['eu-west-1'] }), item)).toBe(false);
  });

  it('supports prefix, suffix, equals-ignore-case and anything-but', () => {
    const at = (rule: unknown) => parse({ dynamodb: { Keys: { pk: { S: [rule] } } } });
    expect(matchesPattern(at({ prefix: 'T#acme' }), item)).toBe(true);
    expect(matchesPattern(at({ prefix: 'T#other' }), item)).toBe(false);
    expect(matchesPattern(at({ prefix: { 'equals-ignore-case': 't#ACME' } }), item)).toBe(true);
    expect(matchesPattern(at({ suffix: '#items' }), item)).toBe(true);
    expect(matchesPattern(at({ 'equals-ignore-case': 't#acme#r#ITEMS' }), item)).toBe(true);
    expect(matchesPattern(at({ 'anything-but': ['x', 'y'] }), item)).toBe(true);
    expect(matchesPattern(at({ 'anything-but': 'T#acme#R#items' }), item)).toBe(false);
    expect(matchesPattern(at({ 'anything-but': { prefix: 'T#acme' } }), item)).toBe(false);
  });

  it('anything-but does not match a missing field', () => {
    expect(
      matchesPattern(parse({ dynamodb: { NewImage: { nope: { S: [{ 'anything-but': 'x' }] } } } }), item),
    ).toBe(false);
  });

  it('numeric compares numbers only: DynamoDB numbers are strings, so they never match', () => {
    expect(
      matchesPattern(parse({ dynamodb: { NewImage: { price: { N: [{ numeric: ['>', 1] }] } } } }), item),
    ).toBe(false);
    expect(matchesPattern(parse({ dynamodb: { SizeBytes: [{ numeric: ['>', 0, '<=', 1] }] } }), item)).toBe(
      true,
    );
    expect(matchesPattern(parse({ dynamodb: { SizeBytes: [{ numeric: ['=', 2] }] } }), item)).toBe(false);
  });

  it('exists looks at leaves: present, absent, and not an intermediate object', () => {
    const img = (rule: unknown, key = 'name') => parse({ dynamodb: { NewImage: { [key]: { S: [rule] } } } });
    expect(matchesPattern(img({ exists: true }), item)).toBe(true);
    expect(matchesPattern(img({ exists: false }), item)).toBe(false);
    expect(matchesPattern(img({ exists: false }, 'missing'), item)).toBe(true);
    expect(matchesPattern(img({ exists: true }, 'missing'), item)).toBe(false);
    expect(matchesPattern(parse({ dynamodb: { NewImage: [{ exists: true }] } }), item)).toBe(false);
  });

  it('matches null and list elements', () => {
    expect(matchesPattern(parse({ dynamodb: { NewImage: { gone: { NULL: [true] } } } }), item)).toBe(true);
    expect(matchesPattern(parse({ dynamodb: { NewImage: { tags: { SS: ['blue'] } } } }), item)).toBe(true);
    expect(matchesPattern(parse({ userIdentity: [null] }), { userIdentity: null })).toBe(true);
    expect(matchesPattern(parse({ userIdentity: [null] }), item)).toBe(false);
  });

  it('supports $or', () => {
    const p = parse({
      $or: [{ eventName: ['REMOVE'] }, { dynamodb: { NewImage: { name: { S: ['Widget'] } } } }],
    });
    expect(matchesPattern(p, item)).toBe(true);
    expect(matchesPattern(p, streamRecord('9'))).toBe(false);
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'finds no field %s the record does not have, at any level',
    (name) => {
      const at = (rules: unknown[]) => [
        parse(JSON.parse(`{${JSON.stringify(name)}:${JSON.stringify(rules)}}`)),
        parse({ dynamodb: JSON.parse(`{${JSON.stringify(name)}:${JSON.stringify(rules)}}`) }),
        parse({ dynamodb: { NewImage: JSON.parse(`{${JSON.stringify(name)}:${JSON.stringify(rules)}}`) } }),
      ];
      for (const p of at([{ exists: true }])) expect(matchesPattern(p, item)).toBe(false);
      for (const p of at([{ 'anything-but': 'x' }])) expect(matchesPattern(p, item)).toBe(false);
      for (const p of at([{ exists: false }])) expect(matchesPattern(p, item)).toBe(true);
    },
  );
});

describe('Function: parseFilterPattern', () => {
  it('explains what is wrong with an invalid pattern', () => {
    const bad = (text: string) => {
      const r = parseFilterPattern(text);
      return r.ok ? 'ok' : r.reason;
    };
    expect(bad('{')).toMatch(/not JSON/);
    expect(bad('[1]')).toMatch(/JSON object/);
    expect(bad('{"eventName":"INSERT"}')).toMatch(/list of rules/);
    expect(bad('{"eventName":[{"wildcard":"I*"}]}')).toMatch(/"wildcard" is not supported/);
    expect(bad('{"a":[{"numeric":[">","1"]}]}')).toMatch(/numeric/);
    expect(bad('{"a":[]}')).toMatch(/empty/);
    expect(parseFilterPattern(42)).toEqual({ ok: false, reason: 'Pattern must be a JSON string' });
  });
});

describe('Function: passesFilters', () => {
  it('passes everything without filters, nothing when every declared filter was invalid', () => {
    expect(passesFilters({ filters: [], filtersDeclared: false }, item)).toBe(true);
    expect(passesFilters({ filters: [], filtersDeclared: true }, item)).toBe(false);
    expect(
      passesFilters(
        {
          filters: [parse({ eventName: ['REMOVE'] }), parse({ eventName: ['MODIFY'] })],
          filtersDeclared: true,
        },
        item,
      ),
    ).toBe(true);
  });
});
