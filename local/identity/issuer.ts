/**
 * A development JWT issuer for the offline twin: one signing key pair, created once and kept in
 * `<dataDir>/issuer-key.json` so tokens stay valid across restarts, a public JWKS, and tokens for a subject and
 * tenant. It stands in for the OIDC provider the deployed authorizer trusts; nothing here is for production.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/** Signing algorithms the issuer can use. */
export type IssuerAlg = 'ES256' | 'RS256';

/** Options of {@link createLocalIssuer}. */
export interface LocalIssuerOptions {
  /** Where `issuer-key.json` is kept; without it the key lives in memory only. */
  readonly dataDir?: string;
  /** The `iss` claim, e.g. `http://127.0.0.1:3000`. */
  readonly issuer: string;
  /** The `aud` claim. */
  readonly audience: string;
  /** @default 'ES256' */
  readonly alg?: IssuerAlg;
}

/** What {@link LocalIssuer.sign} puts in a token. */
export interface SignOptions {
  readonly sub: string;
  readonly tenant: string;
  /** @default 3600 */
  readonly ttlSeconds?: number;
  /** Extra claims; they cannot override `iss`, `aud`, `sub`, `tenant`, `iat` or `exp`. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A JSON Web Key Set. */
export interface Jwks {
  readonly keys: readonly JWK[];
}

/** The local issuer. */
export interface LocalIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly kid: string;
  readonly alg: IssuerAlg;
  /** The public keys, as served at `/.well-known/jwks.json`. */
  jwks(): Jwks;
  /** Signs a token for a subject and tenant. */
  sign(opts: SignOptions): Promise<string>;
}

/** The file the key pair is kept in. */
export const KEY_FILE = 'issuer-key.json';

interface StoredKey {
  readonly kid: string;
  readonly alg: IssuerAlg;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

function isStoredKey(v: unknown): v is StoredKey {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['kid'] === 'string' &&
    (o['alg'] === 'ES256' || o['alg'] === 'RS256') &&
    typeof o['privateJwk'] === 'object' &&
    typeof o['publicJwk'] === 'object'
  );
}

async function newKey(alg: IssuerAlg): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return { kid, alg, privateJwk, publicJwk };
}

async function loadOrCreate(dataDir: string | undefined, alg: IssuerAlg): Promise<StoredKey> {
  if (!dataDir) return newKey(alg);
  const file = join(dataDir, KEY_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== undefined) {
    const stored: unknown = JSON.parse(text);
    if (!isStoredKey(stored))
      throw new Error(`${file} is not an issuer key file; delete it to make a new key`);
    return stored;
  }
  const key = await newKey(alg);
  await mkdir(dataDir, { recursive: true });
  // Write then rename, so a crash never leaves half a key file behind.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return key;
}

/**
 * Creates (or loads from `<dataDir>/issuer-key.json`) the issuer's key pair. A stored key keeps its own
 * algorithm, whatever `alg` says.
 * @example
 * const iss = await createLocalIssuer({ dataDir: '.data', issuer: 'http://127.0.0.1:3000', audience: 'crud-api' });
 * const token = await iss.sign({ sub: 'alice', tenant: 'acme' });
 */
export async function createLocalIssuer(opts: LocalIssuerOptions): Promise<LocalIssuer> {
  const stored = await loadOrCreate(opts.dataDir, opts.alg ?? 'ES256');
  const privateKey = await importJWK(stored.privateJwk, stored.alg);
  const jwks: Jwks = { keys: [stored.publicJwk] };
  return {
    issuer: opts.issuer,
    audience: opts.audience,
    kid: stored.kid,
    alg: stored.alg,
    jwks: () => jwks,
    async sign({ sub, tenant, ttlSeconds = 3600, claims = {} }) {
      const iat = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...claims, tenant })
        .setProtectedHeader({ alg: stored.alg, kid: stored.kid, typ: 'JWT' })
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(privateKey);
    },
  };
}

/** The path the JWKS is served at. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * A node:http handler for `GET /.well-known/jwks.json`; returns `false` (and writes nothing) for any other
 * request, so it composes with other handlers.
 * @example
 * http.createServer((req, res) => jwksHandler(issuer)(req, res) || gateway.handler(req, res));
 */
export function jwksHandler(
  issuer: Pick<LocalIssuer, 'jwks'>,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return function serveJwks(req, res) {
    const path = (req.url ?? '').split('?')[0];
    if (path !== JWKS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const body = JSON.stringify(issuer.jwks());
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'public, max-age=300',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
