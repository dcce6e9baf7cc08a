/**
 * The project's commands as a newcomer runs them (`npm start`, `npm run token`, `npm run bench`, each the same
 * node command npm runs): `--help` is a usage and exit 0, a mistake is one line and exit 2, never a stack trace,
 * and the token command refuses what the API would refuse.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalIssuer } from '../local/identity/index';

const ROOT = join(import.meta.dirname, '..');
const COMMANDS = {
  start: ['local/run.mjs', 'local/cli.ts'],
  token: ['--import', 'tsx', 'scripts/token.ts'],
  bench: ['--import', 'tsx', 'bench/run.ts'],
  'bench:cpu': ['--import', 'tsx', 'bench/cpu-split.ts'],
  'bench:leak': ['--expose-gc', '--import', 'tsx', 'bench/leak-check.ts'],
  'bench:memory': ['--expose-gc', '--import', 'tsx', 'bench/memory-rounds.ts'],
  fuzz: ['--expose-gc', '--import', 'tsx', 'test/fuzz-run.ts'],
  redrive: ['--import', 'tsx', 'local/redrive/cli.ts'],
  backfill: ['--import', 'tsx', 'scripts/backfill.ts'],
} as const;

function run(command: keyof typeof COMMANDS, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [...COMMANDS[command], ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK_LINE = /^\s+at /m;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(Object.keys(COMMANDS) as (keyof typeof COMMANDS)[])('npm %s', (command) => {
  it('prints a short usage on --help and -h, and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const r = run(command, [flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: npm (start|run \S+)/);
      expect(r.stdout).toContain('--help');
      expect(r.stdout.split('\n').length).toBeLessThan(25);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
  });

  it('answers an unknown option with one line naming it, then the usage, and exit 2', () => {
    const r = run(command, ['--frobnicate']);
    expect(r.code).toBe(2);
    const [first, ...rest] = r.stderr.trim().split('\n');
    expect(first).toMatch(/^error: .*--frobnicate/);
    expect(rest.join('\n')).toMatch(/^usage: /m);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe('');
  });
});

describe('npm run token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'token-cli-'));
  dirs.push(dataDir);
  const local = { issuer: 'http://127.0.0.1:1', audience: 'crud-api-local' };
  writeFileSync(join(dataDir, 'local.json'), JSON.stringify(local));

  it('issues a token with exp that verifies against the twin issuer', async () => {
    const issuer = await createLocalIssuer({ dataDir, ...local });
    const r = run('token', ['--data-dir', dataDir, '--sub', 'alice', '--tenant', 'acme', '--ttl', '600']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { payload } = await jwtVerify(
      r.stdout.trim(),
      createLocalJWKSet({ keys: [...issuer.jwks().keys] }),
      {
        issuer: local.issuer,
        audience: local.audience,
      },
    );
    expect(payload).toMatchObject({ sub: 'alice', tenant: 'acme' });
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it.each([
    ['bad tenant!', /--tenant "bad tenant!" is not a tenant the API accepts/],
    ['-leading-dash', /is not a tenant the API accepts/],
    ['x'.repeat(129), /is not a tenant the API accepts/],
  ])('refuses the tenant %j in one line, exit 2, printing no token', (tenant, message) => {
    const r = run('token', ['--data-dir', dataDir, `--tenant=${tenant}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('refuses a ttl the authorizer would refuse (over jwtMaxLifetimeSeconds, or not a number)', () => {
    for (const [ttl, env] of [
      ['86401', {}],
      ['120', { API_JWT_MAX_LIFETIME_SECONDS: '60' }],
      ['soon', {}],
      ['0', {}],
    ] as const) {
      const r = run('token', ['--data-dir', dataDir, '--ttl', ttl], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --ttl must be an integer from 1 to \d+ seconds/);
      expect(r.stdout).toBe('');
    }
  });
});

describe('npm start without a usable Java', () => {
  const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
  dirs.push(bin);
  const start = (path: string) =>
    run('start', ['--port', '0', '--data-dir', join(bin, 'data')], { PATH: path, DYNAMODB_ENDPOINT: '' });

  it('says so with the install hint before synthesizing anything, and exits 1', () => {
    const r = start(bin);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Java was not found');
    expect(r.stderr).toContain('apt-get install -y openjdk-17-jre-headless');
    expect(r.stdout).not.toMatch(/Synthesiz/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('names a Java older than 17 the same way, before the synth', () => {
    const old = join(bin, 'old');
    mkdirSync(old);
    writeFileSync(join(old, 'java'), '#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n', {
      mode: 0o755,
    });
    const r = start(old);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Java 11 was found, but DynamoDB Local needs Java 17 or newer');
    expect(r.stdout).not.toMatch(/Synthesiz/);
  });
});

describe('npm start, the first time', () => {
  it('prints timed progress through the synth, bundling, engine and tables, then a curl that works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'first-start-'));
    dirs.push(dataDir);
    const child = spawn(
      process.execPath,
      [...COMMANDS.start, '--port', '0', '--data-dir', dataDir, '--no-watch', '--no-iam'],
      {
        cwd: ROOT,
        env: { ...process.env, DYNAMODB_ENDPOINT: '', API_JWT_MAX_LIFETIME_SECONDS: '3600' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    const ready = new Promise<void>((ok, fail) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (stdout.includes('Ready: ')) ok();
      });
      void exited.then((code) => fail(new Error(`exited ${code} before Ready:\n${stdout}`)));
    });
    let tried: Response | undefined;
    try {
      await ready;
      // The banner's curl works as pasted, with the configured lifetime (the banner token used to be 12 h).
      const [, key, token, url] = /curl -s -H 'x-api-key: (\S+)' -H 'authorization: Bearer (\S+)' (\S+)/.exec(
        stdout,
      )!;
      tried = await fetch(url!, { headers: { 'x-api-key': key!, authorization: `Bearer ${token}` } });
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    expect(tried?.status).toBe(200);
    expect(stdout).toContain('A token (tenant "dev", 1 h;');
    const progress = stdout
      .slice(0, stdout.indexOf('The API is served at'))
      .split('\n')
      .filter((l) => /^\[\d+\.\ds\] /.test(l));
    for (const step of [
      /Synthesizing the CDK app/,
      /CDK app loaded in \d+\.\d s; bundling/,
      /Bundled \d+ assets in \d+\.\d s \(slowest: [\w/-]+, \d+\.\d s\)/,
      /Synthesized in \d+\.\d s/,
      /DynamoDB Local answering after \d+\.\d s/,
      /Tables ready in \d+\.\d s/,
      /Started in \d+\.\d s/,
    ]) {
      expect(
        progress.some((l) => step.test(l)),
        String(step),
      ).toBe(true);
    }
    expect(progress.length).toBeLessThan(16);
  }, 240_000);
});
