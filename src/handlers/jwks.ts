/**
 * The issuer's signing keys, fetched over node:http(s) and cached. jose's `createRemoteJWKSet` does the same
 * with the global `fetch`, but on Node.js the first `fetch` loads undici: ~100 ms more on every cold start
 * of the authorizer (measured by `npm run bench`). Same policy as jose: refetch when a token names an unknown
 * `kid` (at most every 30 s), and at least every 10 minutes.
 * @module
 */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

const MAX_AGE_MS = 10 * 60_000;
const COOLDOWN_MS = 30_000;

function download(url: URL, timeoutMs: number): Promise<JSONWebKeySet> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`JWKS answered ${res.statusCode}`));
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JSONWebKeySet;
          if (!Array.isArray(body.keys)) throw new Error('no keys');
          resolve(body);
        } catch (e) {
          reject(new Error(`JWKS is not a key set: ${(e as Error).message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`JWKS did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** A jose key resolver backed by the JWKS at `url`. */
export function remoteKeySet(
  url: URL,
  opts: { timeoutMs?: number; now?: () => number } = {},
): JWTVerifyGetKey {
  const now = opts.now ?? Date.now;
  let keys: JWTVerifyGetKey | undefined;
  let fetchedAt = 0;
  let pending: Promise<void> | undefined;
  const refresh = () => {
    pending ??= download(url, opts.timeoutMs ?? 3000)
      .then((set) => {
        keys = createLocalJWKSet(set);
        fetchedAt = now();
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return async function getKey(header, token) {
    if (!keys || now() - fetchedAt > MAX_AGE_MS) await refresh();
    try {
      return await keys!(header, token);
    } catch (e) {
      // A rotated key: fetch again, but not more often than the cooldown allows.
      if ((e as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || now() - fetchedAt < COOLDOWN_MS)
        throw e;
      await refresh();
      return keys!(header, token);
    }
  };
}
