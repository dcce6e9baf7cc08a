/**
 * The only module that reads `process.env`: once, at load, with a clear error for anything missing.
 * @module
 */

function required(key: string): string {
  const v = process.env[key];
  if (!v) throw new Error(`environment variable ${key} is required`);
  return v;
}

function int(key: string, dflt: number): number {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`environment variable ${key} must be a positive integer`);
  return n;
}

/** Settings of the CRUD functions. Read lazily so that a function that does not need a key does not demand it. */
export const config = {
  get tableName() {
    return required('TABLE_NAME');
  },
  /** HMAC key of pagination cursors; only the functions that sign or verify cursors have it. */
  get cursorSecret() {
    return required('CURSOR_SECRET');
  },
  /** Origins allowed to read responses in a browser (comma-separated); `*` for any. */
  allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  maxBodyBytes: int('MAX_BODY_BYTES', 102_400),
  service: process.env.POWERTOOLS_SERVICE_NAME ?? 'crud-api',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase(),
} as const;
