// CPU time of the processes a bench runs on (its apps, and the stack's Temporal and FerretDB), from /proc.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields count from the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return { pid, comm, ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function allProcesses() {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => stat(Number(name)))
    .filter((p) => p !== undefined);
}

/** The Temporal and FerretDB processes of the dev stack this bench runs inside (children of an ancestor). */
export function stackProcesses() {
  const all = allProcesses();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  for (let pid = process.ppid; pid > 1; pid = byPid.get(pid)?.ppid ?? 1) {
    const found = {};
    for (const p of all)
      if (p.ppid === pid) {
        if (/ferretdb/i.test(p.comm)) found.ferretdb = p.pid;
        if (/temporal/i.test(p.comm)) found.temporal = p.pid;
      }
    if (found.ferretdb || found.temporal) return found;
  }
  return {};
}

/** Starts counting CPU time of `pids` ({ name: pid }); `stop()` answers cores used per process over the span. */
export function cpuMeter(pids) {
  const startedAt = performance.now();
  const before = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, stat(pid)?.cpu ?? NaN]),
  );
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [
          name,
          ((stat(pid)?.cpu ?? NaN) - before[name]) / TICKS_PER_SECOND / seconds,
        ]),
      );
    },
  };
}
