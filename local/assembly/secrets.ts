/**
 * Local values for `AWS::SecretsManager::Secret` resources, so that dynamic references
 * (`{{resolve:secretsmanager:...}}`) resolve on the twin.
 *
 * Emulated: `SecretString` as given, or `GenerateSecretString` (`PasswordLength`, `ExcludeCharacters`,
 * `ExcludePunctuation`, `ExcludeUppercase`, `ExcludeLowercase`, `ExcludeNumbers`, `IncludeSpace`,
 * `RequireEachIncludedType`, `SecretStringTemplate` + `GenerateStringKey`), generated once and kept in
 * `<dataDir>/secrets.json` so a restart sees the same value. Not emulated: the Secrets Manager API itself
 * (a handler calling `GetSecretValue` has no local endpoint), rotation, versions and stages.
 * @module
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Keeps secret values by key; generates one on first use. */
export interface SecretStore {
  get(key: string, generate: () => string): string;
}

/** `GenerateSecretString` as CloudFormation declares it. */
export interface GenerateSecretStringSpec {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * A secret string as Secrets Manager would generate it (default length 32, every included type present).
 * `rand(n)` returns an integer in [0, n); injectable for tests.
 */
export function generateSecretString(
  spec: GenerateSecretStringSpec,
  rand: (n: number) => number = randomInt,
): string {
  const excluded = new Set(spec.ExcludeCharacters ?? '');
  const keep = (s: string) => [...s].filter((c) => !excluded.has(c)).join('');
  const classes = [
    spec.ExcludeLowercase ? '' : keep(LOWER),
    spec.ExcludeUppercase ? '' : keep(UPPER),
    spec.ExcludeNumbers ? '' : keep(DIGITS),
    spec.ExcludePunctuation ? '' : keep(PUNCT),
    spec.IncludeSpace ? keep(' ') : '',
  ].filter((c) => c.length > 0);
  const all = classes.join('');
  if (all.length === 0) throw new Error('GenerateSecretString excludes every character');
  const length = spec.PasswordLength ?? 32;
  const chars: string[] = [];
  // RequireEachIncludedType (default true): one of each class first, then shuffle.
  if (spec.RequireEachIncludedType !== false && length >= classes.length) {
    for (const c of classes) chars.push(c[rand(c.length)]!);
  }
  while (chars.length < length) chars.push(all[rand(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  const password = chars.join('');
  if (spec.SecretStringTemplate !== undefined && spec.GenerateStringKey) {
    const base = JSON.parse(spec.SecretStringTemplate) as Record<string, unknown>;
    return JSON.stringify({ ...base, [spec.GenerateStringKey]: password });
  }
  return password;
}

/**
 * A store of secret values: in memory, or in `<dataDir>/secrets.json` (written atomically on each new value) so
 * generated secrets survive restarts.
 */
export function createSecretStore(opts: { readonly dataDir?: string } = {}): SecretStore {
  const file = opts.dataDir ? join(opts.dataDir, 'secrets.json') : undefined;
  let values: Record<string, string> = {};
  if (file && existsSync(file)) values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return {
    get(key, generate) {
      const known = values[key];
      if (known !== undefined) return known;
      const v = generate();
      values = { ...values, [key]: v };
      if (file && opts.dataDir) {
        mkdirSync(opts.dataDir, { recursive: true });
        writeFileSync(`${file}.tmp`, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
        renameSync(`${file}.tmp`, file);
      }
      return v;
    },
  };
}
