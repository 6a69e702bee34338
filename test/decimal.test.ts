/** Whole numbers from decimal figures held as floats: float noise is not a point less, or a cent more. */
import { describe, expect, it } from 'vitest';
import { ceilDecimal, decimalPlaces, floorDecimal, roundHalfUp } from '../src/core/decimal.js';

describe('decimal helpers', () => {
  it('floor, ceil and round halves up as the decimals are written', () => {
    expect([0.3, 0.7, 2.3, 0.29].map((x) => floorDecimal(x / 0.1))).toEqual([3, 7, 23, 2]);
    expect([0.7, 0.71].map((x) => ceilDecimal(x / 0.1))).toEqual([7, 8]);
    expect([50 * 1.15, 57.4999, 2.5, 1e12 + 0.5, 3].map(roundHalfUp)).toEqual([58, 57, 3, 1e12 + 1, 3]);
    expect(floorDecimal(999_999_999_999.5)).toBe(999_999_999_999);
    expect(decimalPlaces(0.1 * 100, 6)).toBe(10);
  });
});
