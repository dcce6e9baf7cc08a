import { describe, expect, it } from 'vitest';
import { Contended, NotFound, Unavailable, ValidationFailed } from './errors';
import { PROBLEM_BASE, toProblem } from './problem';

describe('toProblem', () => {
  it('shows a client error whole: type, title, status, detail, field errors', () => {
    const e = new ValidationFailed([{ pointer: '/name', message: 'is required' }]);
    expect(toProblem(e, 'req-1', '/items')).toEqual({
      type: 'https://serverless-crud-api.dev/problems/validation-failed',
      title: 'Validation Failed',
      status: 400,
      detail: '/name: is required',
      instance: '/items',
      requestId: 'req-1',
      errors: [{ pointer: '/name', message: 'is required' }],
    });
    expect(toProblem(new NotFound('items/x does not exist'), 'r')).toEqual({
      type: `${PROBLEM_BASE}not-found`,
      title: 'Not Found',
      status: 404,
      detail: 'items/x does not exist',
      requestId: 'r',
    });
  });

  it('shows nothing of an unexpected error but the request id', () => {
    const p = toProblem(new Error('secret table name'), 'req-9', '/x');
    expect(p).toEqual({
      type: `${PROBLEM_BASE}internal`,
      title: 'Internal Server Error',
      status: 500,
      detail:
        'The request req-9 failed unexpectedly. It has been logged; quote the request id if you report it.',
      instance: '/x',
      requestId: 'req-9',
    });
    expect(toProblem('thrown string', 'r')).not.toHaveProperty('instance');
  });

  it('gives the 503s their type and Retry-After, and several field errors a count', () => {
    expect(toProblem(new Unavailable('busy', 3), 'r')).toMatchObject({
      status: 503,
      type: `${PROBLEM_BASE}unavailable`,
    });
    expect(new Unavailable('busy', 3).headers).toEqual({ 'retry-after': '3' });
    expect(new Contended('again').headers).toEqual({ 'retry-after': '1' });
    expect(toProblem(new Contended('again'), 'r')).toMatchObject({
      status: 503,
      title: 'Service Unavailable',
      type: `${PROBLEM_BASE}contended`,
    });
    const two = new ValidationFailed([
      { pointer: '', message: 'a' },
      { pointer: '/b', message: 'b' },
    ]);
    expect(two.message).toBe('2 fields are invalid');
    expect(new ValidationFailed([{ pointer: '', message: 'must be an object' }]).message).toBe(
      '/: must be an object',
    );
    expect(two.name).toBe('ValidationFailed');
  });
});
