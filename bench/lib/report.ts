/**
 * What every section hands back: its data (for `latest.json`), a markdown section, and checks (a figure, its
 * target, what was measured and whether it is met) for the final table.
 * @module
 */

export interface Check {
  readonly section: string;
  readonly figure: string;
  readonly target: string;
  readonly measured: string;
  /** `null` when the figure has no pass/fail target (shown as "info"). */
  readonly met: boolean | null;
  /** For the chart: the ratio and the limit it is held against (bars of headline ratios). */
  readonly ratio?: { readonly value: number; readonly limit: number; readonly better: 'lower' | 'higher' };
}

export interface SectionResult {
  readonly name: string;
  readonly data: unknown;
  readonly markdown: string;
  readonly checks: readonly Check[];
}

export interface BenchOptions {
  readonly quick: boolean;
  /** Fresh processes per function in the cold-start section. */
  readonly coldRuns: number;
  /** Warm invocations per process when measuring handler durations for costs. */
  readonly warmInvocations: number;
  /** Repetitions of every load. */
  readonly loadRuns: number;
  readonly loadSeconds: number;
  /** Load on the engine before anything is timed (DynamoDB Local's JVM needs ~20 s to settle). */
  readonly warmupSeconds: number;
  readonly scaleSmall: number;
  readonly scaleLarge: number;
  readonly scaleSeconds: number;
}

export const FULL: BenchOptions = {
  quick: false,
  coldRuns: 15,
  warmInvocations: 50,
  loadRuns: 3,
  loadSeconds: 5,
  warmupSeconds: 20,
  scaleSmall: 1_000,
  scaleLarge: 100_000,
  scaleSeconds: 3,
};

export const QUICK: BenchOptions = {
  quick: true,
  coldRuns: 5,
  warmInvocations: 10,
  loadRuns: 3,
  loadSeconds: 0.4,
  warmupSeconds: 3,
  scaleSmall: 1_000,
  scaleLarge: 10_000,
  scaleSeconds: 0.4,
};

/** A markdown table. */
export function mdTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c)).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `yes`, `NO` or `info`. */
export const metText = (met: boolean | null): string => (met === null ? 'info' : met ? 'yes' : 'NO');
