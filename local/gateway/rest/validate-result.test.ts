import { describe, expect, it } from 'vitest';
import { validateRestResult } from './validate-result';

describe('Function: validateRestResult', () => {
  it('accepts the documented shape and fills defaults', () => {
    expect(validateRestResult({ statusCode: 204 })).toEqual({
      statusCode: 204,
      headers: {},
      multiValueHeaders: {},
      body: '',
      isBase64Encoded: false,
    });
    expect(
      validateRestResult({
        statusCode: '201',
        headers: { n: 1 },
        multiValueHeaders: { a: ['x', 2] },
        body: 'b',
      }),
    ).toMatchObject({
      statusCode: 201,
      headers: { n: '1' },
      multiValueHeaders: { a: ['x', '2'] },
    });
  });

  it.each([
    [null],
    [[]],
    [{ body: 'x' }],
    [{ statusCode: 99 }],
    [{ statusCode: 200.5 }],
    [{ statusCode: 200, body: 1 }],
    [{ statusCode: 200, headers: { a: {} } }],
    [{ statusCode: 200, multiValueHeaders: { a: 'x' } }],
    [{ statusCode: 200, isBase64Encoded: 'yes' }],
    [{ statusCode: 200, extra: true }],
  ])('rejects %j as malformed', (r) => {
    expect(validateRestResult(r)).toHaveProperty('malformed');
  });
});
