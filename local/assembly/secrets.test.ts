import { describe, expect, it } from 'vitest';
import { generateSecretString } from './secrets';

describe('generateSecretString', () => {
  it('is 32 characters by default and holds every included type', () => {
    for (let i = 0; i < 20; i++) {
      const s = generateSecretString({});
      expect(s).toHaveLength(32);
      expect(s).toMatch(/[a-z]/);
      expect(s).toMatch(/[A-Z]/);
      expect(s).toMatch(/[0-9]/);
      expect(s).toMatch(/[^A-Za-z0-9]/);
    }
  });

  it('honours length and exclusions', () => {
    const s = generateSecretString({
      PasswordLength: 50,
      ExcludePunctuation: true,
      ExcludeCharacters: 'aA0',
      ExcludeUppercase: true,
    });
    expect(s).toMatch(/^[b-z1-9]{50}$/);
  });

  it('fills the template key', () => {
    const s = JSON.parse(
      generateSecretString({ SecretStringTemplate: '{"u":"x"}', GenerateStringKey: 'p', PasswordLength: 8 }),
    );
    expect(s.u).toBe('x');
    expect(s.p).toHaveLength(8);
  });

  it('throws when nothing is left to choose from', () => {
    expect(() =>
      generateSecretString({
        ExcludeLowercase: true,
        ExcludeUppercase: true,
        ExcludeNumbers: true,
        ExcludePunctuation: true,
      }),
    ).toThrow(/excludes every character/);
  });
});
