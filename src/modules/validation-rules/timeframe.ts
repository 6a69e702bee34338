/** Durations and `$timeframe` operands of validation rules (a leaf: conditions evaluate them, the grammar checks them). */

const day = 86_400_000;

/** A `$timeframe` operand, `2024-11-12T14:59:23.019Z;P1D;PT1H` (start; interval; duration), read; else undefined. */
export function timeframeOf(spec: string): { start: number; interval: number; duration: number } | undefined {
  const parts = spec.split(';');
  if (parts.length !== 3) return undefined;
  const start = Date.parse(parts[0]!);
  const interval = isoDuration(parts[1]!);
  const duration = isoDuration(parts[2]!);
  if (Number.isNaN(start) || interval === undefined || duration === undefined || interval <= 0) return undefined;
  return { start, interval, duration };
}

/** ISO 8601 durations in ms (days as 24 h, weeks as 7 days; months and years are refused: their length varies). */
export function isoDuration(s: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) return undefined;
  const [, w, d, h, min, sec] = m;
  return (Number(w ?? 0) * 7 + Number(d ?? 0)) * day + Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Number(sec ?? 0) * 1000;
}
