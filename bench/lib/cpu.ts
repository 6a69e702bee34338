/**
 * CPU accounting from /proc (Linux; elsewhere the figures are simply absent): how much CPU the server, the
 * PostgreSQL backends serving it, the load generator and the whole machine used during a phase.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const tickMs = 10; // USER_HZ is 100 on every Linux we run on

interface ProcessCpu {
  user: number;
  sys: number;
}

/** User and kernel CPU of a process, in ms; undefined when it is gone or /proc is unavailable. */
export function processCpu(pid: number): ProcessCpu | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) * tickMs, sys: Number(fields[12]) * tickMs };
  } catch {
    return undefined;
  }
}

const zero: ProcessCpu = { user: 0, sys: 0 };
const minus = (a: ProcessCpu, b: ProcessCpu): ProcessCpu => ({ user: a.user - b.user, sys: a.sys - b.sys });
const sysPct = (c: ProcessCpu) => (c.user + c.sys > 0 ? (100 * c.sys) / (c.user + c.sys) : 0);

interface MachineTicks {
  busy: number;
  iowait: number;
  total: number;
}

function machineTicks(): MachineTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy, iowait: iowait!, total: busy + idle! + iowait! };
  } catch {
    return undefined;
  }
}

export interface CpuFigures {
  /** CPU ms per second of wall time (1000 = one full core). */
  serverMsPerS?: number;
  postgresMsPerS?: number;
  loadGenMsPerS: number;
  /** Share of that CPU spent in the kernel (syscalls, loopback TCP), in percent. */
  serverSysPct?: number;
  postgresSysPct?: number;
  /** The whole machine: busy and iowait as a percentage of all cores. */
  machineBusyPct?: number;
  machineIowaitPct?: number;
}

export interface CpuMeter {
  stop(postgresPids?: number[]): CpuFigures;
}

/** Starts measuring; postgresPids are the backends to charge to PostgreSQL (sampled again at the end). */
export function startCpuMeter(serverPid: number, postgresPids: number[] = []): CpuMeter {
  const t0 = process.hrtime.bigint();
  const self0 = process.cpuUsage();
  const server0 = processCpu(serverPid);
  const pg0 = new Map(postgresPids.map((p) => [p, processCpu(p) ?? zero]));
  const m0 = machineTicks();
  return {
    stop(endPids = postgresPids) {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const self = process.cpuUsage(self0);
      const server1 = processCpu(serverPid);
      const m1 = machineTicks();
      const perS = (ms: number) => ms / seconds;
      const out: CpuFigures = { loadGenMsPerS: perS((self.user + self.system) / 1000) };
      if (server0 !== undefined && server1 !== undefined) {
        const used = minus(server1, server0);
        out.serverMsPerS = perS(used.user + used.sys);
        out.serverSysPct = sysPct(used);
      }
      if (postgresPids.length + endPids.length > 0) {
        let pg = zero;
        for (const pid of new Set([...postgresPids, ...endPids])) {
          const now = processCpu(pid);
          if (now !== undefined) pg = minus(pg, minus(pg0.get(pid) ?? zero, now));
        }
        out.postgresMsPerS = perS(pg.user + pg.sys);
        out.postgresSysPct = sysPct(pg);
      }
      if (m0 && m1 && m1.total > m0.total) {
        out.machineBusyPct = (100 * (m1.busy - m0.busy)) / (m1.total - m0.total);
        out.machineIowaitPct = (100 * (m1.iowait - m0.iowait)) / (m1.total - m0.total);
      }
      return out;
    },
  };
}

export function machineDescription(): string {
  const list = cpus();
  return `${list.length} x ${list[0]?.model.trim() ?? 'unknown CPU'}`;
}
