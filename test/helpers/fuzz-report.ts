/**
 * What a fuzz run saw: answers by status and route, 5xx answers grouped by cause (route, logged error, first frame
 * in src/) with the smallest request that showed each, requests without an answer, health problems, and error
 * answers not in Voucherify's shape. The report is printed at the end of every run.
 */
import type { LogEntry } from './fuzz-app.js';
import { requestTimeoutMs, type ConcreteRequest, type Outcome } from './fuzz-run.js';

interface Fault {
  key: string;
  route: string;
  status: number;
  count: number;
  error: string;
  stack: string[];
  example: ConcreteRequest;
  exampleSize: number;
  firstIndex: number;
  /** What else it takes to reproduce (a segment the project holds, say), when a test found out. */
  context?: string;
}

const srcFrame = /\((?:file:\/\/)?[^()]*?(\/(?:src|node_modules\/[^/]+)\/[^()]+)\)|at (?:file:\/\/)?[^()]*?(\/(?:src|node_modules\/[^/]+)\/\S+)/;

/** The stack's first frame, then up to three of Tessera's own (src/) frames: where a library threw, and from where. */
export function topFrames(stack: string | undefined): string[] {
  if (!stack) return [];
  const frames = stack
    .split('\n')
    .filter((l) => l.trim().startsWith('at '))
    .map((l) => {
      const m = srcFrame.exec(l);
      const fn = /at (?:async )?([^\s(]+) \(/.exec(l)?.[1];
      return m ? `${fn ?? '<anonymous>'} ${(m[1] ?? m[2])!.replace(/^\//, '')}` : l.trim().replace(/^at /, '');
    });
  const own = frames.filter((f) => / src\//.test(f));
  return [...new Set([frames[0]!, ...own.slice(0, 3)])].filter(Boolean);
}

/** Ids, numbers and quoted values vary between occurrences of one fault; the key leaves them out. */
export function normalizeMessage(msg: string): string {
  return msg
    .replace(/\b[a-z]+_[A-Za-z0-9]{8,}\b/g, '<id>')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\d+/g, '#')
    .slice(0, 200);
}

function sizeOf(req: ConcreteRequest): number {
  return req.url.length + (req.payload?.length ?? 0) + JSON.stringify(req.headers).length;
}

export class Recorder {
  readonly statuses = new Map<number, number>();
  readonly perRoute = new Map<string, number>();
  /** By route: answers by status class (2xx, 4xx...). */
  readonly perRouteClass = new Map<string, Map<string, number>>();
  readonly faults = new Map<string, Fault>();
  readonly hangs: ConcreteRequest[] = [];
  /** Error answers not in Voucherify's shape {code,key,message,details,request_id}, one example each. */
  readonly shapes = new Map<string, { count: number; example: ConcreteRequest; body: string }>();
  readonly injectRefusals = new Map<string, number>();
  /** Health problems (failed canaries, background steps that threw, checks at the end), each distinct one once. */
  readonly unhealthy = new Map<string, { text: string; count: number }>();
  /** The most recent requests, for finding which one broke a project when a canary fails. */
  readonly recent: Array<{ index: number; req: ConcreteRequest; status: number }> = [];
  /** With FUZZ_VERBOSE: a few 4xx answers per route, to see what keeps requests from getting through. */
  readonly samples = new Map<string, string[]>();
  total = 0;

  constructor(private readonly logs: LogEntry[]) {}

  /** Notes a health problem; `key` groups repeats of one problem (counted, not listed again). */
  unwell(key: string, text: string): void {
    const k = normalizeMessage(key);
    const known = this.unhealthy.get(k);
    if (known) known.count++;
    else this.unhealthy.set(k, { text, count: 1 });
  }

  /** Records an answer; returns the fault's key when it is a 5xx of a cause not seen before. */
  record(req: ConcreteRequest, outcome: Outcome | 'timeout', logsFrom: number): string | undefined {
    const index = this.total++;
    this.perRoute.set(req.routeKey, (this.perRoute.get(req.routeKey) ?? 0) + 1);
    if (outcome === 'timeout') {
      this.statuses.set(-1, (this.statuses.get(-1) ?? 0) + 1);
      this.hangs.push(req);
      return undefined;
    }
    this.statuses.set(outcome.status, (this.statuses.get(outcome.status) ?? 0) + 1);
    const classes = this.perRouteClass.get(req.routeKey) ?? new Map<string, number>();
    const cls = outcome.status === 404 ? '404' : `${Math.floor(outcome.status / 100)}xx`;
    classes.set(cls, (classes.get(cls) ?? 0) + 1);
    this.perRouteClass.set(req.routeKey, classes);
    this.recent.push({ index, req, status: outcome.status });
    if (this.recent.length > 300) this.recent.shift();
    if (outcome.status === 0) {
      const k = outcome.body.slice(0, 80);
      this.injectRefusals.set(k, (this.injectRefusals.get(k) ?? 0) + 1);
      return undefined;
    }
    const newFault = outcome.status >= 500 ? this.fault(req, outcome, logsFrom, index) : undefined;
    if (process.env.FUZZ_VERBOSE && outcome.status >= 400 && outcome.status < 500) {
      const list = this.samples.get(req.routeKey) ?? [];
      if (list.length < 6) list.push(`${outcome.status} ${outcome.body.slice(0, 160)}\n      <- ${(req.payload ?? '').slice(0, 300)}`);
      this.samples.set(req.routeKey, list);
    }
    if (outcome.status >= 400 && req.method !== 'HEAD') this.checkShape(req, outcome);
    return newFault;
  }

  private fault(req: ConcreteRequest, outcome: Outcome, logsFrom: number, index: number): string | undefined {
    const entry = this.logs.slice(logsFrom).find((l) => l.reqId === outcome.requestId && l.level >= 50);
    const err = entry?.err;
    const error = err ? `${err.type ?? 'Error'}${err.code ? ` [${err.code}]` : ''}: ${err.message ?? ''}` : `(nothing logged) ${outcome.body.slice(0, 200)}`;
    const stack = topFrames(err?.stack);
    const key = `${req.routeKey} ${outcome.status} | ${normalizeMessage(error)} | ${stack.find((f) => / src\//.test(f)) ?? stack[0] ?? ''}`;
    const size = sizeOf(req);
    const known = this.faults.get(key);
    if (!known) {
      this.faults.set(key, { key, route: req.routeKey, status: outcome.status, count: 1, error, stack, example: req, exampleSize: size, firstIndex: index });
      return key;
    }
    known.count++;
    // The smallest request showing a fault is the easiest to reproduce it with (unless a test explained it).
    if (size < known.exampleSize && known.context === undefined) Object.assign(known, { example: req, exampleSize: size, error });
    return undefined;
  }

  private checkShape(req: ConcreteRequest, outcome: Outcome): void {
    let body: any;
    try {
      body = JSON.parse(outcome.body);
    } catch {
      body = undefined;
    }
    const good =
      body !== null && typeof body === 'object' && body.code === outcome.status && typeof body.key === 'string' && typeof body.message === 'string' && 'details' in body && typeof body.request_id === 'string';
    if (good) return;
    const key = `${req.method} ${req.routeKey.slice(req.routeKey.indexOf(' ') + 1)} -> ${outcome.status}: ${outcome.body.slice(0, 60)}`;
    const known = this.shapes.get(key);
    if (known) known.count++;
    else this.shapes.set(key, { count: 1, example: req, body: outcome.body.slice(0, 300) });
  }
}

export function describeRequest(req: ConcreteRequest, max = 1500): string {
  const keyHeaders = /^(x-app-id|x-app-token|x-client-application-id|x-client-token|x-management-id|x-management-token)$/;
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !keyHeaders.test(k)).map(([k, v]) => [k, v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v]));
  const url = req.url.length > 600 ? `${req.url.slice(0, 600)}…(${req.url.length} chars)` : req.url;
  const lines = [`${req.method} ${url}`, `  auth: ${req.authLabel}; headers: ${JSON.stringify(headers)}`];
  if (req.payload !== undefined) {
    const p = req.payload.length > max ? `${req.payload.slice(0, max)}…(${req.payload.length} chars)` : req.payload;
    lines.push(`  body: ${JSON.stringify(p).slice(1, -1)}`);
  }
  return lines.join('\n');
}

/** Log lines at warn or above not tied to a request (background evaluation, skipped segments), grouped. */
export function backgroundLogs(logs: LogEntry[]): Array<{ text: string; count: number }> {
  const groups = new Map<string, { text: string; count: number }>();
  for (const l of logs) {
    if (l.reqId !== undefined) continue;
    const text = `[${l.level >= 50 ? 'error' : 'warn'}] ${l.msg ?? ''}${l.err ? ` — ${l.err.type ?? 'Error'}: ${l.err.message ?? ''} @ ${topFrames(l.err.stack)[0] ?? ''}` : ''}`;
    const key = normalizeMessage(text);
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { text: text.slice(0, 400), count: 1 });
  }
  return [...groups.values()];
}

export function formatReport(title: string, rec: Recorder, extra: { seed: number; seconds: number; logs: LogEntry[]; byRoute?: boolean }): string {
  const out: string[] = [];
  out.push(`=== ${title}: seed ${extra.seed} (FUZZ_SEED), ${rec.total} requests in ${extra.seconds.toFixed(1)} s ===`);
  const statuses = [...rec.statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s === -1 ? 'timeout' : s === 0 ? 'refused-by-inject' : s}: ${n}`);
  out.push(`answers by status: ${statuses.join(', ')}`);
  if (extra.byRoute) {
    out.push('answers by route:');
    for (const [route, classes] of [...rec.perRouteClass].sort()) {
      out.push(`  ${route.padEnd(80)} ${[...classes].sort().map(([c, n]) => `${c}: ${n}`).join(', ')}`);
    }
  }
  for (const [route, list] of rec.samples) out.push(`  ${route}:\n${list.map((l) => `    ${l}`).join('\n')}`);
  out.push(`distinct 5xx causes: ${rec.faults.size}`);
  let i = 0;
  for (const f of [...rec.faults.values()].sort((a, b) => a.firstIndex - b.firstIndex)) {
    out.push(`--- 5xx #${++i}: ${f.route} -> ${f.status} (${f.count}x, first at request ${f.firstIndex})`);
    out.push(`  error: ${f.error.slice(0, 500)}`);
    for (const s of f.stack) out.push(`    at ${s}`);
    out.push(describeRequest(f.example).replace(/^/gm, '  '));
    if (f.context) out.push(`  reproduces with: ${f.context}`);
  }
  for (const h of rec.hangs) out.push(`--- no answer within ${requestTimeoutMs} ms:\n${describeRequest(h).replace(/^/gm, '  ')}`);
  for (const u of rec.unhealthy.values()) out.push(`--- unhealthy (${u.count}x): ${u.text}`);
  if (rec.shapes.size > 0) {
    out.push(`error answers not in Voucherify's shape (reported, not failed): ${rec.shapes.size}`);
    for (const [k, s] of rec.shapes) out.push(`  ${k} (${s.count}x)\n    body: ${s.body}\n${describeRequest(s.example, 300).replace(/^/gm, '    ')}`);
  }
  if (rec.injectRefusals.size > 0) out.push(`requests inject refused to send (not counted as answers): ${[...rec.injectRefusals].map(([k, n]) => `${k} (${n}x)`).join('; ')}`);
  const bg = backgroundLogs(extra.logs);
  if (bg.length > 0) {
    out.push(`server log lines at warn/error outside requests: ${bg.length}`);
    for (const b of bg.slice(0, 20)) out.push(`  ${b.text} (${b.count}x)`);
  }
  return out.join('\n');
}
