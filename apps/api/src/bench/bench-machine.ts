import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/**
 * What the benches say about the machine they ran on, and how busy it was with other work while they measured
 * (the project's machines are shared: a figure without its interference is not comparable).
 */

const nowMs = (): number => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------------------------------ interference

/** Clock ticks per second of /proc CPU counters (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_SEC = 100;

export interface CpuSnapshot {
  readonly atMs: number;
  /** Busy ticks of the whole machine (all cores): total − idle − iowait. */
  readonly machineBusy: number;
  /** Ticks of this benchmark: this process (with its reaped children), live descendants, our database's backends. */
  readonly ours: number;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not Linux
  }
};

/** utime, stime, cutime, cstime and ppid of a process from /proc/<pid>/stat (the command may contain spaces). */
function procTimes(pid: number): { own: number; children: number; ppid: number } | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  return { ppid: fields[1] ?? 0, own: (fields[11] ?? 0) + (fields[12] ?? 0), children: (fields[13] ?? 0) + (fields[14] ?? 0) };
}

/**
 * What else ran on the machine while we measured: machine-wide busy CPU minus our own. Ours = this process and
 * its reaped children (sandboxes, autocannon), live descendants (the upload client), and the PostgreSQL backends
 * serving our database (their process title names it). The rest is other people's work on the shared cores.
 */
export function cpuSnapshot(databaseName: string | undefined): CpuSnapshot | undefined {
  const stat = readText('/proc/stat');
  if (!stat) return undefined;
  const cpu = (stat.split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((sum, v) => sum + (Number.isFinite(v) ? v : 0), 0);
  const machineBusy = total - (cpu[3] ?? 0) - (cpu[4] ?? 0);
  const pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
  const parents = new Map<number, number>();
  const times = new Map<number, { own: number; children: number }>();
  for (const pid of pids) {
    const t = procTimes(pid);
    if (t) {
      parents.set(pid, t.ppid);
      times.set(pid, t);
    }
  }
  const isOurs = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parents.get(p), hops += 1) if (p === process.pid) return true;
    return false;
  };
  let ours = 0;
  for (const [pid, t] of times) {
    if (pid === process.pid) ours += t.own + t.children;
    else if (isOurs(pid)) ours += t.own;
    else if (databaseName && (readText(`/proc/${pid}/cmdline`) ?? '').includes(databaseName)) ours += t.own;
  }
  return { atMs: nowMs(), machineBusy, ours };
}

export interface Interference {
  /** Average cores busy with other processes over the window (of the machine's cores). */
  readonly otherCores: number;
  /** Average cores this benchmark used (API, sandboxes, clients, our PostgreSQL backends). */
  readonly oursCores: number;
}

export function interference(from: CpuSnapshot | undefined, to: CpuSnapshot | undefined): Interference | null {
  if (!from || !to || to.atMs <= from.atMs) return null;
  const seconds = (to.atMs - from.atMs) / 1000;
  const busy = (to.machineBusy - from.machineBusy) / TICKS_PER_SEC / seconds;
  const ours = (to.ours - from.ours) / TICKS_PER_SEC / seconds;
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return { otherCores: round2(Math.max(0, busy - ours)), oursCores: round2(ours) };
}

// ---------------------------------------------------------------------------------------------- machine

export function machine() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: os.cpus() model
  }
  return {
    cores: cpus().length,
    cpuModel,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

