/**
 * `npm run token -- --sub <subject> --tenant <tenant> [--ttl <seconds>]`: prints a token the twin's
 * authorizer accepts, alone on stdout. Reads the issuer from `<DATA_DIR>/local.json` and its key from
 * `<DATA_DIR>/issuer-key.json` (both written by `npm start`).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLocalIssuer } from './identity/index';

const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'dev' },
    tenant: { type: 'string', default: 'dev' },
    ttl: { type: 'string', default: '3600' },
    'data-dir': { type: 'string' },
  },
});
const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? '.data';
const file = join(dataDir, 'local.json');
if (!existsSync(file)) {
  process.stderr.write(`No ${file}: start the twin once (npm start) so that its issuer exists.\n`);
  process.exit(1);
}
const local = JSON.parse(readFileSync(file, 'utf8')) as { issuer: string; audience: string };
const issuer = await createLocalIssuer({ dataDir, issuer: local.issuer, audience: local.audience });
process.stdout.write(
  `${await issuer.sign({ sub: values.sub, tenant: values.tenant, ttlSeconds: Number(values.ttl) })}\n`,
);
