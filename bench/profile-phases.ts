/**
 * Reads a V8 CPU profile (`--cpu-prof`) of a Tessera process and a bench's --json figures that mark phases on the
 * same monotonic clock (`phases.<name>.mono_us`, as bench:segments writes them), and prints where that process
 * spent its CPU during one phase: self time per function, and inclusive time of Tessera's own functions.
 *
 *   node dist-bench/bench/profile-phases.js <profile.cpuprofile> <figures.json> <phase> [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, figuresFile, phase, topArg] = process.argv.slice(2);
if (!file || !figuresFile || !phase) {
  process.stderr.write('Usage: node dist-bench/bench/profile-phases.js <profile.cpuprofile> <figures.json> <phase> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const phases = (JSON.parse(readFileSync(figuresFile, 'utf8')) as { phases?: Record<string, { mono_us: [number, number] }> }).phases ?? {};
const window = phases[phase]?.mono_us;
if (!window) throw new Error(`no phase '${phase}' in ${figuresFile}; there are: ${Object.keys(phases).join(', ')}`);
const [t0, t1] = window;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(dist|dist-bench|node_modules)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'}${url ? ` ${url}:${n.callFrame.lineNumber + 1}` : ''}`;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let t = profile.startTime;
let sampled = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  if (t < t0 || t > t1) continue;
  // A sample stands for the time until the next one.
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const node = byId.get(profile.samples[i]!)!;
  sampled += ms;
  if (node.callFrame.functionName === '(idle)') {
    idle += ms;
    continue;
  }
  const own = name(node);
  self.set(own, (self.get(own) ?? 0) + ms);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const k = name(byId.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
  }
}

const busy = sampled - idle;
const top = Number(topArg ?? 25);
const line = ([k, ms]: [string, number]) => `${ms.toFixed(0).padStart(8)} ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${k}`;
const print = (s: string) => process.stdout.write(`${s}\n`);
print(`${phase}: ${((t1 - t0) / 1e6).toFixed(1)} s of wall time, ${(busy / 1000).toFixed(1)} s on the CPU`);
print('\nself ms, share of CPU time');
for (const e of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) print(line(e));
print("\ninclusive ms of Tessera's own functions (dist/)");
for (const e of [...inclusive].filter(([k]) => k.includes(' dist/')).sort((a, b) => b[1] - a[1]).slice(0, top)) print(line(e));
