import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalIssuer, JWKS_PATH, jwksHandler, KEY_FILE } from './issuer';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'issuer-'));
  dirs.push(d);
  return d;
}

describe('Function: createLocalIssuer', () => {
  it('signs tokens that verify against its JWKS with iss, aud, sub, tenant, iat, exp and kid', async () => {
    const iss = await createLocalIssuer({ issuer: 'http://127.0.0.1:1', audience: 'crud-api' });
    const token = await iss.sign({
      sub: 'alice',
      tenant: 'acme',
      ttlSeconds: 60,
      claims: { scope: 'items' },
    });
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [...iss.jwks().keys] }),
      {
        issuer: 'http://127.0.0.1:1',
        audience: 'crud-api',
      },
    );
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: iss.kid });
    expect(payload).toMatchObject({ sub: 'alice', tenant: 'acme', scope: 'items' });
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it('keeps no private key material in the JWKS', async () => {
    const iss = await createLocalIssuer({ issuer: 'i', audience: 'a', alg: 'RS256' });
    const [key] = iss.jwks().keys;
    expect(key).toMatchObject({ kty: 'RSA', kid: iss.kid, alg: 'RS256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
  });

  it('creates the key file once and loads it again, so tokens survive a restart', async () => {
    const dir = await tempDir();
    const first = await createLocalIssuer({ dataDir: dir, issuer: 'i', audience: 'a' });
    const token = await first.sign({ sub: 's', tenant: 't' });
    expect((await stat(join(dir, KEY_FILE))).mode & 0o777).toBe(0o600);
    const second = await createLocalIssuer({ dataDir: dir, issuer: 'i', audience: 'a' });
    expect(second.kid).toBe(first.kid);
    await expect(
      jwtVerify(token, createLocalJWKSet({ keys: [...second.jwks().keys] })),
    ).resolves.toBeTruthy();
    expect(JSON.parse(await readFile(join(dir, KEY_FILE), 'utf8'))).toHaveProperty('privateJwk');
  });

  it('refuses a key file that is not one', async () => {
    const dir = await tempDir();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, KEY_FILE), '{"hello":1}');
    await expect(createLocalIssuer({ dataDir: dir, issuer: 'i', audience: 'a' })).rejects.toThrow(
      /not an issuer key file/,
    );
  });
});

describe('Function: jwksHandler', () => {
  it('serves GET /.well-known/jwks.json over HTTP and leaves other requests alone', async () => {
    const iss = await createLocalIssuer({ issuer: 'i', audience: 'a' });
    const serve = jwksHandler(iss);
    const server = http.createServer((req, res) => {
      if (!serve(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await fetch(`${base}${JWKS_PATH}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(await r.json()).toEqual(iss.jwks());
      expect((await fetch(`${base}/other`)).status).toBe(404);
      const token = await iss.sign({ sub: 'bob', tenant: 't' });
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${base}${JWKS_PATH}`)));
      expect(payload.sub).toBe('bob');
      expect(decodeProtectedHeader(token).kid).toBe(iss.kid);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
