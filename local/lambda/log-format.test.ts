import { describe, expect, it } from 'vitest';
import { endLine, reportLine, startLine, timeoutMessage } from './log-format';

describe('platform log lines', () => {
  it('formats START and END', () => {
    expect(startLine('r1')).toBe('START RequestId: r1 Version: $LATEST');
    expect(endLine('r1')).toBe('END RequestId: r1');
  });

  it('formats a warm REPORT with tabs, two decimals and a billed duration rounded up', () => {
    expect(reportLine({ requestId: 'r1', durationMs: 1.234, memorySizeMb: 128, maxMemoryUsedMb: 40 })).toBe(
      'REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB',
    );
  });

  it('adds Init Duration on a cold start, billed too, and the status of a failed invocation', () => {
    expect(
      reportLine({
        requestId: 'r',
        durationMs: 3000,
        memorySizeMb: 128,
        maxMemoryUsedMb: 9,
        initDurationMs: 200.5,
        status: 'timeout',
      }),
    ).toBe(
      'REPORT RequestId: r\tDuration: 3000.00 ms\tBilled Duration: 3201 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 200.50 ms\tStatus: timeout',
    );
    expect(
      reportLine({
        requestId: 'r',
        durationMs: 1,
        memorySizeMb: 1,
        maxMemoryUsedMb: 1,
        status: 'error',
        errorType: 'Runtime.ExitError',
      }),
    ).toMatch(/\tStatus: error\tError Type: Runtime.ExitError$/);
  });

  it('says how long the timeout was', () => {
    expect(timeoutMessage(3)).toBe('Task timed out after 3.00 seconds');
  });
});
