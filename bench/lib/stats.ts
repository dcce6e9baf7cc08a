/**
 * Summary statistics for repeated measurements: the median and how far the runs spread.
 * @module
 */

/** A set of repeated measurements, summarised. */
export interface Summary {
  /** Number of runs. */
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First and third quartiles (linear interpolation). */
  readonly q1: number;
  readonly q3: number;
  /** Interquartile range over the median, as a fraction (0.05 is 5 %); 0 when the median is 0. */
  readonly relIqr: number;
}

/** The `p` quantile (0..1) of `values`, interpolating linearly between order statistics. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Summarises repeated runs. */
export function summarize(values: readonly number[]): Summary {
  const med = median(values);
  const q1 = quantile(values, 0.25);
  const q3 = quantile(values, 0.75);
  return {
    n: values.length,
    median: med,
    min: Math.min(...values),
    max: Math.max(...values),
    q1,
    q3,
    relIqr: med === 0 ? 0 : (q3 - q1) / Math.abs(med),
  };
}

/** Rounds to `digits` significant decimals for reports (keeps integers whole). */
export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `12.3 (11.9-12.8)`: the median and the range of the runs. */
export function fmt(s: Summary, digits = 1, unit = ''): string {
  return `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}
