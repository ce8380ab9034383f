// CPU time counters of the benchmarks: this process's (every thread), and the PostgreSQL server
// processes' read from /proc (Linux), what a benchmark's database work costs the machine.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 1e6 / 100; // USER_HZ

/** CPU (µs) used so far by every process named postgres (0 where /proc is absent). */
export function postgresCpuUs() {
  let ticks = 0;
  let dirs = [];
  try {
    dirs = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of dirs) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * TICK_US;
}

/** CPU time (µs) used so far by this process, every thread of it. */
export function processCpuUs() {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
