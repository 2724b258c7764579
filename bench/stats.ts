/** Summary of repeated measurements: the median, and the spread as the range of what was seen. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function spreadOf(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

/** `12.3 (11.9–13.0)`: the median with the range over runs. */
export function formatSpread(spread: Spread, digits = 1, unit = ''): string {
  const f = (value: number): string => value.toFixed(digits);
  return `${f(spread.median)}${unit} (${f(spread.min)}–${f(spread.max)})`;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Spread with every figure rounded, for results.json. */
export function roundSpread(spread: Spread, digits: number): Spread {
  return { median: round(spread.median, digits), min: round(spread.min, digits), max: round(spread.max, digits), runs: spread.runs };
}
