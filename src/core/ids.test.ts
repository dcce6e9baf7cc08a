import { describe, expect, it } from 'vitest';
import { isId, uuidv7 } from './ids';

describe('uuidv7', () => {
  it('is a version 7, variant 10 UUID whose first 48 bits are the time', () => {
    const t = Date.UTC(2031, 4, 6, 7, 8, 9, 123);
    const id = uuidv7(t);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(t);
    expect(isId(id)).toBe(true);
  });

  it('stays strictly increasing within a millisecond and when the clock goes back', () => {
    const t = Date.UTC(2032, 0, 1);
    const ids = [uuidv7(t), uuidv7(t), uuidv7(t), uuidv7(t - 5), uuidv7(t + 1)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The counter is in rand_a, right after the version digit.
    expect(ids.slice(0, 4).map((id) => id.slice(14, 18))).toEqual(['7000', '7001', '7002', '7003']);
    expect(ids[4]!.slice(14, 18)).toBe('7000');
    expect(ids[3]!.slice(0, 13)).toBe(ids[0]!.slice(0, 13));
  });

  it('moves to the next millisecond when 4096 ids share one', () => {
    const t = Date.UTC(2033, 0, 1);
    const ids = Array.from({ length: 4097 }, () => uuidv7(t));
    expect(ids[4095]!.slice(14, 18)).toBe('7fff');
    const last = ids[4096]!;
    expect(Number.parseInt(last.slice(0, 8) + last.slice(9, 13), 16)).toBe(t + 1);
    expect(last.slice(14, 18)).toBe('7000');
    expect([...ids].sort()).toEqual(ids);
  });

  it('is random after the counter', () => {
    const t = Date.UTC(2034, 0, 1);
    const tails = new Set(Array.from({ length: 50 }, () => uuidv7(t + 1000).slice(19)));
    expect(tails.size).toBe(50);
  });
});

describe('isId', () => {
  it('takes lower-case UUIDs of versions 1 to 8 and nothing else', () => {
    expect(isId('0190b6a2-0000-1000-8000-000000000000')).toBe(true);
    expect(isId('0190b6a2-0000-8000-b000-000000000000')).toBe(true);
    for (const s of [
      '0190B6A2-0000-7000-8000-000000000000',
      '0190b6a2-0000-0000-8000-000000000000',
      '0190b6a2-0000-9000-8000-000000000000',
      '0190b6a2-0000-7000-c000-000000000000',
      '0190b6a2-0000-7000-7000-000000000000',
      '0190b6a2-0000-7000-8000-0000000000000',
      'x0190b6a2-0000-7000-8000-000000000000',
      '0190b6a200007000800000000000000',
      '',
    ])
      expect(isId(s), s).toBe(false);
  });
});
