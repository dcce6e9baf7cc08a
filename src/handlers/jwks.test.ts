import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteKeySet } from './jwks';

let server: Server;
let url: URL;
let served: object = { keys: [] };
let requests = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(served));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`);
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

async function keyWithId(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256' };
  const sign = () =>
    new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  return { jwk, sign };
}

describe('remoteKeySet', () => {
  it('verifies tokens with the served keys, fetching once, and refetches for a new kid after the cooldown', async () => {
    let clock = 1_000_000;
    const k1 = await keyWithId('one');
    served = { keys: [k1.jwk] };
    requests = 0;
    const keys = remoteKeySet(url, { now: () => clock });
    await jwtVerify(await k1.sign(), keys);
    await jwtVerify(await k1.sign(), keys);
    expect(requests).toBe(1);

    const k2 = await keyWithId('two');
    served = { keys: [k1.jwk, k2.jwk] };
    // Within the cooldown an unknown kid does not trigger a fetch (no amplification by forged tokens).
    await expect(jwtVerify(await k2.sign(), keys)).rejects.toThrow();
    expect(requests).toBe(1);
    clock += 31_000;
    await jwtVerify(await k2.sign(), keys);
    expect(requests).toBe(2);
  });

  it('rejects a token signed by a key the issuer does not publish', async () => {
    const k1 = await keyWithId('one');
    const stranger = await keyWithId('one');
    served = { keys: [k1.jwk] };
    await expect(jwtVerify(await stranger.sign(), remoteKeySet(url))).rejects.toThrow();
  });
});
