import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Clock ticks per second of /proc CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** `VmRSS` of /proc/<pid>/status, in bytes. */
export function parseRssBytes(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1_024 : undefined;
}

/**
 * From /proc/<pid>/stat: the parent pid and the CPU time used (user + system, seconds).
 * The command name (field 2) may hold spaces and parentheses, so fields are counted from
 * its closing parenthesis.
 */
export function parseStat(stat: string): { parentPid: number; cpuSeconds: number } | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const parentPid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (![parentPid, utime, stime].every(Number.isFinite)) return undefined;
  return { parentPid, cpuSeconds: (utime + stime) / TICKS_PER_SECOND };
}

/** Busy and total CPU time of the whole machine, from the first line of /proc/stat. */
export function parseMachineCpu(procStat: string): { busy: number; total: number } {
  const fields = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** The 1-, 5- and 15-minute load averages of /proc/loadavg. */
export function parseLoadAverage(loadavg: string): [number, number, number] | undefined {
  const [one, five, fifteen] = loadavg.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every((value) => Number.isFinite(value))) return undefined;
  return [one as number, five as number, fifteen as number];
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process is gone
  }
}

/** A process and, when `withChildren`, its direct children (PostgreSQL's backends). */
export interface WatchedProcess {
  name: string;
  pid: number;
  withChildren?: boolean;
}

function pidsOf(watched: WatchedProcess): number[] {
  if (!watched.withChildren) return [watched.pid];
  const pids = [watched.pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat && parseStat(stat)?.parentPid === watched.pid) pids.push(Number(entry));
  }
  return pids;
}

function usageOf(watched: WatchedProcess): { rssBytes: number; cpuSeconds: number } {
  let rssBytes = 0;
  let cpuSeconds = 0;
  for (const pid of pidsOf(watched)) {
    rssBytes += parseRssBytes(read(`/proc/${pid}/status`) ?? '') ?? 0;
    cpuSeconds += parseStat(read(`/proc/${pid}/stat`) ?? '')?.cpuSeconds ?? 0;
  }
  return { rssBytes, cpuSeconds };
}

export interface ProcessUsage {
  /** Largest resident set seen while watching, in bytes. */
  maxRssBytes: number;
  /** CPU used while watching, as a share of one core (1.0 = one core busy all the time). */
  cores: number;
}

/**
 * Samples resident memory (VmRSS) and CPU time of named processes every `intervalMs`;
 * `finish` returns each one's peak RSS and average CPU use, and the machine's busy share.
 * CPU used by a process's exited children is not counted (PostgreSQL's backends live long).
 */
export function watchProcesses(processes: readonly WatchedProcess[], intervalMs = 1_000) {
  const startedMs = performance.now();
  const startCpu = new Map(processes.map((watched) => [watched.name, usageOf(watched).cpuSeconds]));
  const machineStart = parseMachineCpu(read('/proc/stat') ?? '');
  const maxRss = new Map<string, number>();
  const sample = () => {
    for (const watched of processes) {
      const { rssBytes } = usageOf(watched);
      maxRss.set(watched.name, Math.max(maxRss.get(watched.name) ?? 0, rssBytes));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);

  return {
    finish(): { processes: Record<string, ProcessUsage>; machineBusy: number; otherCores: number; loadAverage: [number, number, number] | undefined } {
      clearInterval(timer);
      sample();
      const seconds = (performance.now() - startedMs) / 1_000;
      const result: Record<string, ProcessUsage> = {};
      for (const watched of processes) {
        // A child that exited meanwhile takes its CPU time with it: never below zero.
        const cpu = Math.max(0, usageOf(watched).cpuSeconds - (startCpu.get(watched.name) ?? 0));
        result[watched.name] = { maxRssBytes: maxRss.get(watched.name) ?? 0, cores: seconds > 0 ? cpu / seconds : 0 };
      }
      const machineEnd = parseMachineCpu(read('/proc/stat') ?? '');
      const total = machineEnd.total - machineStart.total;
      const machineBusy = total > 0 ? (machineEnd.busy - machineStart.busy) / total : 0;
      const watchedCores = Object.values(result).reduce((sum, usage) => sum + usage.cores, 0);
      // What the rest of the machine took meanwhile (anything not watched): on a shared
      // machine this is the noise every figure of the window carries.
      return {
        processes: result,
        machineBusy,
        otherCores: Math.max(0, machineBusy * cpus().length - watchedCores),
        // Run queue length at the window's end, the bench's own processes included: on a
        // machine shared with other work, the figure every CPU and latency figure is read against.
        loadAverage: parseLoadAverage(read('/proc/loadavg') ?? ''),
      };
    },
  };
}
