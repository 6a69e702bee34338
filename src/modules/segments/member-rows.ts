/**
 * A customer's memberships as one row (customer_segments, migration 0012): the segments it is in, by segment number,
 * with the times it entered them, and the segments it left with the times it left. Times are milliseconds since the
 * epoch, kept as the digits PostgreSQL printed and written back as they are: evaluation never needs them as dates.
 */
export interface MemberRow {
  /** Segment number -> when the customer entered it (ms since the epoch, as digits). */
  active: Map<number, string>;
  /** Segment number -> when the customer left it (it is in none of these now). */
  left: Map<number, string>;
}

export const emptyMemberRow = (): MemberRow => ({ active: new Map(), left: new Map() });

function pairs(nums: string, times: string): Map<number, string> {
  const out = new Map<number, string>();
  if (nums === '') return out;
  const n = nums.split(',');
  const t = times.split(',');
  for (let i = 0; i < n.length; i++) out.set(Number(n[i]), t[i]!);
  return out;
}

/** The row as tessera_segment_state returns it: "segments|entered_ms|left_segments|left_ms", elements joined by ','. */
export function parseMemberRow(text: string): MemberRow {
  const [segments = '', entered = '', leftSegments = '', leftAt = ''] = text.split('|');
  return { active: pairs(segments, entered), left: pairs(leftSegments, leftAt) };
}

/** The row after entering and leaving these segments at `at` (a copy; entering again forgets the earlier exit). */
export function applyChanges(row: MemberRow, entered: readonly number[], left: readonly number[], at: string): MemberRow {
  const next: MemberRow = { active: new Map(row.active), left: new Map(row.left) };
  for (const n of entered) {
    next.active.set(n, at);
    next.left.delete(n);
  }
  for (const n of left) {
    if (!next.active.delete(n)) continue;
    next.left.set(n, at);
  }
  return next;
}

/** The row without these segment numbers (deleted segments). */
export function withoutSegments(row: MemberRow, nums: ReadonlySet<number>): MemberRow {
  const keep = (m: Map<number, string>) => new Map([...m].filter(([n]) => !nums.has(n)));
  return { active: keep(row.active), left: keep(row.left) };
}

function joined(m: Map<number, string>): [string, string] {
  const sorted = [...m].sort((a, b) => a[0] - b[0]);
  return [sorted.map(([n]) => n).join(','), sorted.map(([, t]) => t).join(',')];
}

/** The four array columns as comma-joined texts, in segment order (what the write statement splits). */
export function encodeMemberRow(row: MemberRow): [string, string, string, string] {
  return [...joined(row.active), ...joined(row.left)];
}
