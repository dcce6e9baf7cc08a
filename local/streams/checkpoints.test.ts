import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareSequenceNumbers, createCheckpointStore } from './checkpoints';

describe('Function: compareSequenceNumbers', () => {
  it('compares decimal strings of any length, leading zeros or not', () => {
    expect(compareSequenceNumbers('000000000000000000009', '10')).toBeLessThan(0);
    expect(
      compareSequenceNumbers('21258900000000008186295383', '21258800000000008186106757'),
    ).toBeGreaterThan(0);
    expect(compareSequenceNumbers('007', '7')).toBe(0);
  });
});

describe('Function: createCheckpointStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('only moves forward, remembers finished shards, and survives a restart', () => {
    const a = createCheckpointStore({ dataDir: dir });
    expect(a.load('M', 'arn1')).toBeUndefined();
    a.begin('M', 'arn1');
    expect(a.load('M', 'arn1')).toEqual({ streamArn: 'arn1', shards: {} });
    a.save('M', 'arn1', 's1', { sequenceNumber: '0005' });
    a.save('M', 'arn1', 's1', { sequenceNumber: '0003' });
    a.save('M', 'arn1', 's0', { done: true });
    const b = createCheckpointStore({ dataDir: dir });
    expect(b.load('M', 'arn1')).toEqual({
      streamArn: 'arn1',
      shards: { s1: { sequenceNumber: '0005' }, s0: { done: true } },
    });
  });

  it('starts over on another stream', () => {
    const s = createCheckpointStore({ dataDir: dir });
    expect(s.load('M', 'arn2')).toBeUndefined();
    s.save('M', 'arn2', 'x', { sequenceNumber: '1' });
    expect(s.load('M', 'arn2')?.shards).toEqual({ x: { sequenceNumber: '1' } });
    expect(s.load('M', 'arn1')).toBeUndefined();
  });

  it('keeps progress in memory without a data dir', () => {
    const s = createCheckpointStore();
    s.save('M', 'a', 'x', { sequenceNumber: '2' });
    expect(s.load('M', 'a')?.shards['x']).toEqual({ sequenceNumber: '2' });
  });
});
