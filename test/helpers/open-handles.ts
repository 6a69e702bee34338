/**
 * Set up for every test file: after the file's own afterAll hooks, nothing it opened may still be open: no
 * database pool or client (sockets), server, child process, listener connection or timer. Handles are compared
 * by kind with those open when the file started; closing is given a moment to finish (sockets close after a tick).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { violations } from './strict-pglite.js';

/** Kinds of handle a file may leave: standard streams and the test runner's own channels. */
const ignored = new Set(['TTYWrap', 'PipeWrap', 'FSEventWrap', 'StatWatcher']);

function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (!ignored.has(kind)) m.set(kind, (m.get(kind) ?? 0) + 1);
  return m;
}

function extra(before: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [kind, n] of counts()) if (n > (before.get(kind) ?? 0)) out.push(`${kind} x${n - (before.get(kind) ?? 0)}`);
  return out;
}

let before = new Map<string, number>();
beforeAll(() => {
  before = counts();
});

// Registered before the file's hooks, so it runs after them (after-hooks run in reverse order).
afterAll(async () => {
  let left = extra(before);
  for (let i = 0; i < 40 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    left = extra(before);
  }
  expect(left, 'handles left open by this test file').toEqual([]);
  expect(violations.splice(0), 'queries on the PGlite pool inside an open transaction (see strict-pglite.ts)').toEqual([]);
});
