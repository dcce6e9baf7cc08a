/**
 * Lambda's platform log lines, in the text format CloudWatch shows:
 * `START RequestId: <id> Version: $LATEST`, `END RequestId: <id>`, and
 * `REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB`
 * with `\tInit Duration: 210.52 ms` on a cold start and `\tStatus: timeout` (or `error`) when it failed.
 * Billed Duration rounds up to the millisecond and, since Lambda began billing the INIT phase of on-demand
 * managed runtimes (1 August 2025), includes the init duration on a cold start.
 * @module
 */

export const startLine = (requestId: string): string => `START RequestId: ${requestId} Version: $LATEST`;

export const endLine = (requestId: string): string => `END RequestId: ${requestId}`;

export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
  readonly status?: 'timeout' | 'error';
  readonly errorType?: string;
}

export function reportLine(f: ReportFields): string {
  const billed = Math.ceil(f.durationMs + (f.initDurationMs ?? 0));
  let s = `REPORT RequestId: ${f.requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${f.memorySizeMb} MB\tMax Memory Used: ${f.maxMemoryUsedMb} MB`;
  if (f.initDurationMs !== undefined) s += `\tInit Duration: ${f.initDurationMs.toFixed(2)} ms`;
  if (f.status) s += `\tStatus: ${f.status}`;
  if (f.errorType) s += `\tError Type: ${f.errorType}`;
  return s;
}

/** `Task timed out after 3.00 seconds`, as Lambda logs and returns it. */
export const timeoutMessage = (seconds: number): string =>
  `Task timed out after ${seconds.toFixed(2)} seconds`;
