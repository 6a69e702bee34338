import { describe, expect, it } from 'vitest';
import { newEventId, newId, newSecret, newSortableId, randomBase62 } from '../src/core/ids.js';

describe('ids', () => {
  it('keeps prefixes and lengths, with no repeats across many refills of the random pool', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const e = newEventId('evcus', now);
      expect(e).toMatch(/^evcus_[0-9a-f]{20}$/);
      seen.add(e);
      seen.add(newId('cust'));
    }
    expect(seen.size).toBe(40_000);
    // A burst of event ids in one millisecond, as one batch stamps them: none repeats.
    const burst = Array.from({ length: 1000 }, () => newEventId('evcus', now));
    expect(new Set(burst).size).toBe(1000);
    expect(newId('seg')).toMatch(/^seg_[0-9A-Za-z]{24}$/);
    expect(newSecret()).toMatch(/^[0-9A-Za-z]{40}$/);
    // Longer than the pool: drawn directly.
    expect(randomBase62(10_000)).toMatch(/^[0-9A-Za-z]{10000}$/);
  });

  it('sortable ids keep the shape of random ones and sort by their time', () => {
    const times = [0, 1, 61_000, Date.parse('2026-05-01T12:00:00Z'), Date.parse('2999-12-31T23:59:59Z')];
    const ids = times.map((t) => newSortableId('cust', new Date(t)));
    for (const id of ids) expect(id).toMatch(/^cust_[0-9A-Za-z]{24}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => newSortableId('cust', new Date(5))))).toHaveProperty('size', 1000);
  });

  it('draws base62 characters evenly', () => {
    const counts = new Map<string, number>();
    for (const ch of randomBase62(62_000)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 1,000 expected per character; a fair draw stays well within ±25% (about 8 standard deviations).
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(250);
  });
});
