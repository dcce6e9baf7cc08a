import { describe, expect, it } from 'vitest';
import { EngineStartError } from './engine/index';
import { javaMajor, requireJava17 } from './java';

describe('Function: javaMajor', () => {
  it('reads the major version of the banners Java prints', () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment')).toBe(17);
    expect(javaMajor('java version "21" 2023-09-19 LTS')).toBe(21);
    expect(javaMajor('java version "1.8.0_392"')).toBe(8);
    expect(javaMajor('openjdk 11.0.2 2019-01-15')).toBe(11);
    expect(javaMajor('something else')).toBeUndefined();
  });
});

describe('Function: requireJava17', () => {
  const enoent = Object.assign(new Error('spawnSync java ENOENT'), { code: 'ENOENT' });

  it('accepts Java 17 from the banner on stderr, where java -version writes it', () => {
    expect(() =>
      requireJava17(() => ({ stdout: '', stderr: 'openjdk version "17.0.15" 2025-04-15' })),
    ).not.toThrow();
  });

  it('refuses a missing, an old or a silent Java with the install hint', () => {
    const cases = [
      [{ error: enoent }, /Java was not found/],
      [{ stdout: '', stderr: 'java version "1.8.0_392"' }, /Java 8 was found/],
      [{ stdout: '', stderr: 'openjdk version "11.0.2"' }, /Java 11 was found/],
      [{ stdout: '', stderr: '' }, /did not say which Java/],
    ] as const;
    for (const [result, message] of cases) {
      const attempt = () => requireJava17(() => result);
      expect(attempt).toThrow(EngineStartError);
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(/apt-get install -y openjdk-17-jre-headless/);
    }
  });
});
