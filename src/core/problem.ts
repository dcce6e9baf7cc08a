/**
 * RFC 9457 problem details. The one place that turns any error into a client-safe body.
 * @module
 */
import { AppError, type FieldError } from './errors';

/** Base URI of our problem types; each type is `${PROBLEM_BASE}${code}`. */
export const PROBLEM_BASE = 'https://serverless-crud-api.dev/problems/';

/** An RFC 9457 problem body. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldError[];
}

/** The problem for an error: an {@link AppError} shows its message; anything else shows only the request id. */
export function toProblem(err: unknown, requestId: string, instance?: string): Problem {
  if (err instanceof AppError) {
    return {
      type: PROBLEM_BASE + err.code,
      title: err.title,
      status: err.status,
      detail: err.message,
      ...(instance ? { instance } : {}),
      requestId,
      ...(err.errors ? { errors: err.errors } : {}),
    };
  }
  return {
    type: `${PROBLEM_BASE}internal`,
    title: 'Internal Server Error',
    status: 500,
    detail: `The request ${requestId} failed unexpectedly. It has been logged; quote the request id if you report it.`,
    ...(instance ? { instance } : {}),
    requestId,
  };
}
