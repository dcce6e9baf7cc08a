/**
 * Opaque, tamper-evident pagination cursors: `base64url(json) "." base64url(hmac)`. The MAC covers the
 * position and the query it belongs to (tenant, resource, index, filter, order), so a cursor cannot be
 * edited, forged without the key, or replayed against another query or tenant.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequest } from './errors';

const MAC_BYTES = 16;

function mac(secret: string, body: string, binding: string): Buffer {
  return createHmac('sha256', secret)
    .update(binding)
    .update('\n')
    .update(body)
    .digest()
    .subarray(0, MAC_BYTES);
}

/** Encodes a position (DynamoDB's LastEvaluatedKey, plain JSON values) for the query named by `binding`. */
export function encodeCursor(
  position: Readonly<Record<string, unknown>>,
  secret: string,
  binding: string,
): string {
  const body = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${body}.${mac(secret, body, binding).toString('base64url')}`;
}

/** Decodes a cursor made by {@link encodeCursor} for the same binding; anything else is a 400. */
export function decodeCursor(cursor: string, secret: string, binding: string): Record<string, unknown> {
  const invalid = () => new BadRequest('cursor is not valid for this query; start again without a cursor');
  if (cursor.length > 2048) throw invalid();
  const dot = cursor.indexOf('.');
  if (dot <= 0) throw invalid();
  const body = cursor.slice(0, dot);
  // Compared as text: base64url's last character carries unused bits, so decoding would accept variants.
  const given = Buffer.from(cursor.slice(dot + 1));
  const want = Buffer.from(mac(secret, body, binding).toString('base64url'));
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw invalid();
  try {
    const v: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid();
    return v as Record<string, unknown>;
  } catch {
    throw invalid();
  }
}
