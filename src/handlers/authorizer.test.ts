/**
 * The JWT authorizer against a real JWKS served over HTTP: which tokens it allows, which it answers
 * `Unauthorized` (the gateway's 401), by their time claims.
 */
import { createServer, type Server } from 'node:http';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const ISSUER = 'http://127.0.0.1/issuer';
const MAX_LIFETIME = 3600;
const ARN = 'arn:aws:execute-api:us-east-1:000000000000:api/local/GET/items';

let server: Server;
let authorize: typeof import('./authorizer').handler;
let sign: (claims: JWTPayload) => Promise<string>;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] });
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  vi.stubEnv('JWT_ISSUER', ISSUER);
  vi.stubEnv('JWT_AUDIENCE', 'crud-api');
  vi.stubEnv('JWKS_URL', `http://127.0.0.1:${port}/jwks.json`);
  vi.stubEnv('JWT_MAX_LIFETIME_SECONDS', String(MAX_LIFETIME));
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  ({ handler: authorize } = await import('./authorizer'));
  sign = (claims) =>
    new SignJWT({ iss: ISSUER, aud: 'crud-api', sub: 'alice', tenant: 'acme', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .sign(privateKey);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((ok) => server.close(() => ok()));
});

const event = (token: string) =>
  ({
    type: 'REQUEST',
    methodArn: ARN,
    headers: { Authorization: `Bearer ${token}` },
  }) as unknown as APIGatewayRequestAuthorizerEvent;

async function verdict(claims: JWTPayload): Promise<'Allow' | 'Deny' | 'Unauthorized'> {
  try {
    const r = await authorize(event(await sign(claims)));
    return r.policyDocument.Statement[0]!.Effect as 'Allow' | 'Deny';
  } catch (e) {
    expect((e as Error).message).toBe('Unauthorized');
    return 'Unauthorized';
  }
}

describe('Function: authorizer handler', () => {
  it('allows a token with iat and an exp within the maximum lifetime', async () => {
    expect(await verdict({ iat: now(), exp: now() + MAX_LIFETIME })).toBe('Allow');
  });

  it('answers Unauthorized (401) for a token without exp, which would never expire', async () => {
    expect(await verdict({ iat: now() })).toBe('Unauthorized');
    expect(await verdict({})).toBe('Unauthorized');
  });

  it('refuses a lifetime over the maximum, measured from iat, or from now without iat', async () => {
    expect(await verdict({ iat: now(), exp: now() + MAX_LIFETIME + 120 })).toBe('Unauthorized');
    expect(await verdict({ exp: now() + MAX_LIFETIME + 120 })).toBe('Unauthorized');
    expect(await verdict({ exp: now() + 600 })).toBe('Allow');
    // Issued long ago with a long life: what is left is short, but the token was minted over the limit.
    expect(await verdict({ iat: now() - 10 * MAX_LIFETIME, exp: now() + 60 })).toBe('Unauthorized');
  });

  it('allows 60 s of clock skew on exp, nbf and iat, and no more', async () => {
    expect(await verdict({ iat: now() - 600, exp: now() - 30 })).toBe('Allow');
    expect(await verdict({ iat: now() - 600, exp: now() - 120 })).toBe('Unauthorized');
    expect(await verdict({ iat: now() + 30, nbf: now() + 30, exp: now() + 600 })).toBe('Allow');
    expect(await verdict({ iat: now(), nbf: now() + 120, exp: now() + 600 })).toBe('Unauthorized');
    expect(await verdict({ iat: now() + 120, exp: now() + 600 })).toBe('Unauthorized');
  });

  it('still denies (403) a valid token whose tenant is unusable', async () => {
    expect(await verdict({ iat: now(), exp: now() + 60, tenant: 'bad tenant!' })).toBe('Deny');
  });
});
