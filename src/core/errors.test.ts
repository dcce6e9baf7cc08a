/** The error family as clients see it: each status, problem type code and title. */
import { describe, expect, it } from 'vitest';
import {
  AppError,
  BadRequest,
  Conflict,
  Contended,
  IdempotencyKeyReused,
  NotFound,
  PayloadTooLarge,
  PreconditionFailed,
  Unauthenticated,
  Unavailable,
  UnsupportedMediaType,
  ValidationFailed,
} from './errors';
import { IdempotencyKeyTaken, ItemMissing, VersionMismatch, WriteContention } from './ports';

describe('client errors', () => {
  it.each([
    [() => new BadRequest('m'), 400, 'bad-request', 'Bad Request'],
    [
      () => new ValidationFailed([{ pointer: '/a', message: 'm' }]),
      400,
      'validation-failed',
      'Validation Failed',
    ],
    [() => new Unauthenticated('m'), 401, 'unauthenticated', 'Unauthorized'],
    [() => new NotFound('m'), 404, 'not-found', 'Not Found'],
    [() => new Conflict('m'), 409, 'conflict', 'Conflict'],
    [() => new PreconditionFailed('m'), 412, 'precondition-failed', 'Precondition Failed'],
    [() => new PayloadTooLarge('m'), 413, 'payload-too-large', 'Payload Too Large'],
    [() => new UnsupportedMediaType('m'), 415, 'unsupported-media-type', 'Unsupported Media Type'],
    [() => new IdempotencyKeyReused('m'), 422, 'idempotency-key-reused', 'Idempotency Key Reused'],
    [() => new Unavailable('m', 2), 503, 'unavailable', 'Service Unavailable'],
    [() => new Contended('m'), 503, 'contended', 'Service Unavailable'],
  ])('%i %s "%s"', (make, status, code, title) => {
    // Built inside the test, so that coverage per test sees the class fields.
    const e = make();
    expect(e).toBeInstanceOf(AppError);
    expect({ status: e.status, code: e.code, title: e.title, name: e.name }).toEqual({
      status,
      code,
      title,
      name: e.constructor.name,
    });
  });

  it('keeps the cause and the field errors', () => {
    const cause = new Error('engine');
    const e = new Unavailable('busy', 1, { cause });
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('busy');
    expect(new BadRequest('m').errors).toBeUndefined();
  });
});

describe('storage port errors', () => {
  it('name themselves, and a version mismatch says the version it found', () => {
    const item = {
      id: 'i',
      data: {},
      createdAt: '',
      updatedAt: '',
      version: 7,
      createdBy: '',
      updatedBy: '',
    };
    const mismatch = new VersionMismatch(item);
    expect([mismatch.name, mismatch.message, mismatch.current]).toEqual([
      'VersionMismatch',
      'the item is at version 7',
      item,
    ]);
    expect(new ItemMissing('i').name).toBe('ItemMissing');
    expect(new IdempotencyKeyTaken('k').name).toBe('IdempotencyKeyTaken');
    expect(new WriteContention('w').name).toBe('WriteContention');
  });
});
