import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './stack';

const scripts: Record<string, string> = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'),
).scripts;
const args = (name: string) => (scripts[name] ?? '').split(/\s+/);
/** The value given to `--require-approval`, if any. */
const approval = (name: string) => {
  const a = args(name);
  const i = a.indexOf('--require-approval');
  return i < 0 ? undefined : a[i + 1];
};

describe('npm scripts: deploys', () => {
  it('deploy asks before security-relevant (broadening) changes', () => {
    expect(args('deploy').slice(0, 2)).toEqual(['cdk', 'deploy']);
    expect(approval('deploy')).toBe('broadening');
  });

  it('deploy:ci never waits for a human, and says it is CI', () => {
    expect(args('deploy:ci').slice(0, 2)).toEqual(['cdk', 'deploy']);
    expect(approval('deploy:ci')).toBe('never');
    expect(args('deploy:ci')).toContain('--ci');
  });

  it('diff shows what a deploy would change; synth stays offline-able with the placeholder issuer', () => {
    expect(args('diff').slice(0, 2)).toEqual(['cdk', 'diff']);
    expect(scripts.synth).toContain('allowPlaceholderIssuer=true');
    // deploy and diff must not force the placeholder issuer through.
    expect(scripts.deploy).not.toContain('allowPlaceholderIssuer');
    expect(scripts.diff).not.toContain('allowPlaceholderIssuer');
  });

  it('bootstrap and destroy work with no issuer configured (both synthesize the app; neither deploys it)', () => {
    expect(args('bootstrap').slice(0, 2)).toEqual(['cdk', 'bootstrap']);
    expect(scripts.bootstrap).toContain('allowPlaceholderIssuer=true');
    expect(args('destroy').slice(0, 2)).toEqual(['cdk', 'destroy']);
    expect(scripts.destroy).toContain('allowPlaceholderIssuer=true');
  });
});
