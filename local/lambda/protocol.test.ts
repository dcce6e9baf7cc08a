import { describe, expect, it } from 'vitest';
import { ToHost, ToPool } from './protocol.mjs';

// protocol.d.mts declares these literals by hand for the TypeScript side: the two must not drift apart.
describe('protocol', () => {
  it('has the kinds protocol.d.mts declares, each once', () => {
    expect(ToPool).toEqual({ ready: 0, log: 1, result: 2, initError: 3, crash: 4, twinLog: 5 });
    expect(ToHost).toEqual({ start: 0, message: 1, terminate: 2 });
    expect(Object.isFrozen(ToPool) && Object.isFrozen(ToHost)).toBe(true);
  });
});
