/**
 * `npm run token -- --sub <subject> --tenant <tenant> [--ttl <seconds>]`: prints a token the twin's
 * authorizer accepts, alone on stdout. Reads the issuer from `<DATA_DIR>/local.json` and its key from
 * `<DATA_DIR>/issuer-key.json` (both written by `npm start`).
 *
 * It lives in `scripts/`, not `local/`, because it applies the app's own rules (the tenant alphabet of
 * `src/store/table-design.ts`, the token lifetime of `infra/config.ts`) so that it never prints a token the app
 * refuses; the twin itself serves any CDK app and must not depend on ours.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../infra/config';
import { parseCommandLine, usageError } from '../local/cli-args';
import { createLocalIssuer } from '../local/identity/index';
import { TENANT_PATTERN } from '../src/store/table-design';

const USAGE = `usage: npm run token -- [--sub <subject>] [--tenant <tenant>] [--ttl <seconds>] [--data-dir <dir>]

Prints a token for the running twin's authorizer (start it once with npm start first).

options:
  --sub <subject>     the token's subject (default: dev)
  --tenant <tenant>   the tenant claim: a letter or digit, then up to 127 of A-Z a-z 0-9 . _ : @ - (default: dev)
  --ttl <seconds>     lifetime, at most jwtMaxLifetimeSeconds (default: 3600)
  --data-dir <dir>    where npm start keeps local.json and the issuer key (default: DATA_DIR or .data)
  -h, --help          print this and exit`;

const { values } = parseCommandLine(USAGE, {
  sub: { type: 'string', default: 'dev' },
  tenant: { type: 'string', default: 'dev' },
  ttl: { type: 'string', default: '3600' },
  'data-dir': { type: 'string' },
});

/** The twin synthesizes with API_* variables, so the same variables decide the lifetime the authorizer allows. */
function maxLifetime(): number {
  try {
    return loadConfig({ context: () => undefined }).config.jwtMaxLifetimeSeconds;
  } catch {
    return 86_400; // the key's default; the app itself reports a bad configuration when it synthesizes
  }
}

if (!TENANT_PATTERN.test(values.tenant)) {
  usageError(
    `--tenant ${JSON.stringify(values.tenant)} is not a tenant the API accepts: it must match ${TENANT_PATTERN}`,
  );
}
if (!values.sub.trim()) usageError('--sub must not be blank');
const ttl = Number(values.ttl);
const max = maxLifetime();
if (!Number.isInteger(ttl) || ttl < 1 || ttl > max) {
  usageError(`--ttl must be an integer from 1 to ${max} seconds (jwtMaxLifetimeSeconds), got ${values.ttl}`);
}

const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? '.data';
const file = join(dataDir, 'local.json');
if (!existsSync(file)) {
  process.stderr.write(`No ${file}: start the twin once (npm start) so that its issuer exists.\n`);
  process.exit(1);
}
const local = JSON.parse(readFileSync(file, 'utf8')) as { issuer: string; audience: string };
const issuer = await createLocalIssuer({ dataDir, issuer: local.issuer, audience: local.audience });
process.stdout.write(`${await issuer.sign({ sub: values.sub, tenant: values.tenant, ttlSeconds: ttl })}\n`);
