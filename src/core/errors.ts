/**
 * The error family of the domain. Every error a client can cause is an {@link AppError}: it knows its HTTP
 * status, a stable problem type and whether its message is safe to show. Anything else is an internal
 * failure and is never shown to a client.
 * @module
 */

/** One invalid field, addressed by JSON Pointer (RFC 6901) into the request body or query. */
export interface FieldError {
  readonly pointer: string;
  readonly message: string;
}

/** Base of every client-visible error. */
export abstract class AppError extends Error {
  abstract readonly status: number;
  /** Last path segment of the problem `type` URI, and a stable code for clients. */
  abstract readonly code: string;
  abstract readonly title: string;
  readonly errors?: readonly FieldError[];
  readonly headers?: Readonly<Record<string, string>>;
  constructor(message: string, opts?: ErrorOptions & { errors?: readonly FieldError[] }) {
    super(message, opts);
    this.name = new.target.name;
    if (opts?.errors) this.errors = opts.errors;
  }
}

/** 400: the request is malformed (bad JSON, unknown fields, bad id, bad query, forged cursor). */
export class BadRequest extends AppError {
  readonly status = 400;
  readonly code = 'bad-request';
  readonly title = 'Bad Request';
}

/** 400 with a list of invalid fields. */
export class ValidationFailed extends AppError {
  readonly status = 400;
  readonly code = 'validation-failed';
  readonly title = 'Validation Failed';
  constructor(errors: readonly FieldError[], opts?: ErrorOptions) {
    super(
      errors.length === 1
        ? `${errors[0]!.pointer || '/'}: ${errors[0]!.message}`
        : `${errors.length} fields are invalid`,
      { ...opts, errors },
    );
  }
}

/** 401: no usable identity reached the function (the authorizer context has no tenant). */
export class Unauthenticated extends AppError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  readonly title = 'Unauthorized';
}

/** 404: no such item for this tenant (also what another tenant's item looks like). */
export class NotFound extends AppError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not Found';
}

/** 409: the write conflicts with the item's state in a way a retry will not fix by itself. */
export class Conflict extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
  readonly title = 'Conflict';
}

/** 412: `If-Match` named a version that is not the current one. */
export class PreconditionFailed extends AppError {
  readonly status = 412;
  readonly code = 'precondition-failed';
  readonly title = 'Precondition Failed';
}

/** 413: the body is larger than the configured limit. */
export class PayloadTooLarge extends AppError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = 'Payload Too Large';
}

/** 415: the body is not in a media type this operation accepts. */
export class UnsupportedMediaType extends AppError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  readonly title = 'Unsupported Media Type';
}

/** 422: the `Idempotency-Key` was already used with a different request. */
export class IdempotencyKeyReused extends AppError {
  readonly status = 422;
  readonly code = 'idempotency-key-reused';
  readonly title = 'Idempotency Key Reused';
}

/** 503: the storage engine throttled or could not be reached; the client should retry later. */
export class Unavailable extends AppError {
  readonly status = 503;
  readonly code = 'unavailable';
  readonly title = 'Service Unavailable';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(message: string, retryAfterSeconds: number, opts?: ErrorOptions) {
    super(message, opts);
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/**
 * 503: a write without `If-Match` kept losing the race for the item to concurrent writes for longer than its
 * retry budget. Nothing was written; the same request can simply be sent again.
 */
export class Contended extends AppError {
  readonly status = 503;
  readonly code = 'contended';
  readonly title = 'Service Unavailable';
  override readonly headers: Readonly<Record<string, string>> = { 'retry-after': '1' };
}
