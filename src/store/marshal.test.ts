import { describe, expect, it } from 'vitest';
import { marshall, unmarshall } from './marshal';

describe('marshall / unmarshall', () => {
  it('keeps a member named __proto__ as data, both ways, at any depth', () => {
    const value = JSON.parse('{"__proto__": {"x": 1}, "a": {"__proto__": [1, "s"]}, "b": true}');
    const attrs = marshall(value);
    expect(JSON.parse(JSON.stringify(attrs))).toEqual(
      JSON.parse(
        '{"__proto__": {"M": {"x": {"N": "1"}}}, "a": {"M": {"__proto__": {"L": [{"N": "1"}, {"S": "s"}]}}}, "b": {"BOOL": true}}',
      ),
    );
    const back = unmarshall(JSON.parse(JSON.stringify(attrs)));
    expect(JSON.stringify(back)).toBe(JSON.stringify(value));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });
});
