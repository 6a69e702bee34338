/**
 * Whole numbers from decimal figures held as binary floats, where 0.1 is not exact (0.3 / 0.1 is 2.9999999999999996,
 * 50 * 1.15 is 57.49999999999999): a result within a hair of a whole number (a billionth, or a few units in its last
 * place for large ones) is taken as that number before rounding.
 */
function snapped(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= Math.max(1e-9, Math.abs(r) * 8 * Number.EPSILON) ? r : x;
}

/** The whole number at or below x, float noise aside: floorDecimal(0.3 / 0.1) is 3. */
export const floorDecimal = (x: number): number => Math.floor(snapped(x));

/** The whole number at or above x, float noise aside: ceilDecimal(0.7 / 0.1) is 7. */
export const ceilDecimal = (x: number): number => Math.ceil(snapped(x));

/** The nearest whole number, halves up, float noise aside: roundHalfUp(50 * 1.15) is 58. */
export const roundHalfUp = (x: number): number => Math.floor(snapped(x + 0.5));

/** x rounded to `places` decimals (0.1 * 100 is 10.000000000000002; decimalPlaces of it is 10). */
export const decimalPlaces = (x: number, places: number): number => {
  const k = 10 ** places;
  return Math.round(x * k) / k;
};
