/**
 * A customer's memberships as one row (customer_segments, migration 0012): the segments it is in, by segment number,
 * with the times it entered them, and the segments it left with the times it left, each pair of lists aligned and in
 * ascending segment order. Times are milliseconds since the epoch, kept as the digits PostgreSQL printed and written
 * back as they are: evaluation never needs them as dates. Every change of every customer goes through here, so
 * rows are plain arrays merged in order (no maps, no sorting).
 */
export interface MemberRow {
  /** Segments the customer is in, ascending. */
  segments: number[];
  /** When it entered each (ms since the epoch, as digits), aligned with segments. */
  entered: string[];
  /** Segments it left (and is not in now), ascending. */
  left: number[];
  /** When it left each, aligned with left. */
  leftAt: string[];
}

export const emptyMemberRow = (): MemberRow => ({ segments: [], entered: [], left: [], leftAt: [] });

const numbers = (s: string): number[] => (s === '' ? [] : s.split(',').map(Number));
const texts = (s: string): string[] => (s === '' ? [] : s.split(','));

/** The row as tessera_segment_state returns it: "segments|entered_ms|left_segments|left_ms", elements joined by ','. */
export function parseMemberRow(text: string): MemberRow {
  const [segments = '', entered = '', left = '', leftAt = ''] = text.split('|');
  return { segments: numbers(segments), entered: texts(entered), left: numbers(left), leftAt: texts(leftAt) };
}

/** Whether the row has the customer in this segment. */
export const isIn = (row: MemberRow, num: number): boolean => row.segments.includes(num);

/**
 * The aligned lists (nums, times) without `drop`, with `add` (ascending, not in nums) at `at`, in ascending order.
 */
function merged(nums: number[], times: string[], drop: readonly number[], add: readonly number[], at: string): [number[], string[]] {
  const n: number[] = [];
  const t: string[] = [];
  let j = 0;
  for (let i = 0; i < nums.length; i++) {
    const v = nums[i]!;
    if (drop.includes(v)) continue;
    while (j < add.length && add[j]! < v) {
      n.push(add[j++]!);
      t.push(at);
    }
    n.push(v);
    t.push(times[i]!);
  }
  while (j < add.length) {
    n.push(add[j++]!);
    t.push(at);
  }
  return [n, t];
}

/**
 * The row after entering and leaving these segments at `at` (a new row). Entering forgets an earlier exit; leaving
 * a segment the customer is not in changes nothing.
 */
export function applyChanges(row: MemberRow, entered: readonly number[], left: readonly number[], at: string): MemberRow {
  const enter = [...new Set(entered)].filter((n) => !row.segments.includes(n)).sort((a, b) => a - b);
  const leave = [...new Set(left)].filter((n) => row.segments.includes(n) && !enter.includes(n)).sort((a, b) => a - b);
  const [segments, enteredAt] = merged(row.segments, row.entered, leave, enter, at);
  const [gone, goneAt] = merged(row.left, row.leftAt, [...enter, ...leave], leave, at);
  return { segments, entered: enteredAt, left: gone, leftAt: goneAt };
}

/** The row without these segment numbers (deleted segments). */
export function withoutSegments(row: MemberRow, nums: ReadonlySet<number>): MemberRow {
  const drop = [...nums];
  const [segments, entered] = merged(row.segments, row.entered, drop, [], '');
  const [left, leftAt] = merged(row.left, row.leftAt, drop, [], '');
  return { segments, entered, left, leftAt };
}

/** Whether the row names any of these numbers, in it or as left. */
export const holdsAny = (row: MemberRow, nums: ReadonlySet<number>): boolean => row.segments.some((n) => nums.has(n)) || row.left.some((n) => nums.has(n));

/** The four array columns as comma-joined texts (what the write statement splits). */
export function encodeMemberRow(row: MemberRow): [string, string, string, string] {
  return [row.segments.join(','), row.entered.join(','), row.left.join(','), row.leftAt.join(',')];
}
