/**
 * @module bench/lib/process-cpu
 * CPU time a process has used so far (user + system), read from `/proc/<pid>/stat`. Divided by the calls a
 * run completed, it gives CPU per call: unlike calls/s, that figure barely moves when other processes share
 * the machine, so it shows the server's own cost even on a busy 2-core box.
 */
import { readFileSync } from 'node:fs';

/** `getconf CLK_TCK` on Linux: the unit of utime/stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds used by `pid` so far, or `undefined` where /proc is not available. */
export function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
    // state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
