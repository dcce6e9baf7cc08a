// Runs one of the twin's TypeScript entry points (`local/cli.ts`, the bench's twin child) in this process,
// bundled by esbuild first (about 0.2 s) instead of through `tsx`: tsx's loader costs a running twin about 33 MB
// (an empty `node --import tsx` is 72 MB of RSS against 39 for `node`) and transpiles file by file on every
// start. npm packages stay external, resolved from the project's node_modules; each module's own
// `import.meta.url` is kept, so paths next to the sources (the Lambda bootstrap, the project root) still hold.
//
// usage: node local/run.mjs <entry.ts> [args...]   (the entry sees [args...] as process.argv.slice(2))
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.argv[2];
const usage =
  'usage: node local/run.mjs <entry.ts> [args...]   (npm start is node local/run.mjs local/cli.ts)';
if (entry === '--help' || entry === '-h') {
  console.log(usage);
  process.exit(0);
}
if (!entry || entry.startsWith('-')) {
  console.error(`error: ${entry ? `unknown option ${entry}` : 'no entry given'}\n${usage}`);
  process.exit(2);
}
const entryPath = resolve(entry);
// One file per process (two twins may start at once), removed when it exits; files of processes that died
// without exiting are removed here.
const cacheDir = join(root, 'node_modules', '.cache', 'crud-api-twin');
const outfile = join(cacheDir, `${basename(entryPath, '.ts')}.${process.pid}.mjs`);
for (const f of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
  const pid = Number(/\.(\d+)\.mjs$/.exec(f)?.[1]);
  if (pid && !alive(pid)) rmSync(join(cacheDir, f), { force: true });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Replaces `import.meta.url` in each of our modules with that module's own URL. */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = await readFile(args.path, 'utf8');
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

await build({
  entryPoints: [entryPath],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  keepNames: true,
  logLevel: 'warning',
  plugins: [ownUrl],
});
process.on('exit', () => rmSync(outfile, { force: true }));
process.argv.splice(2, 1);
await import(pathToFileURL(outfile).href);
