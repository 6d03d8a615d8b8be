import { readdirSync, readFileSync } from 'node:fs';

// The /proc helpers of the load generator; the pure statistics live in tools/bench/stats.ts.

/** The pids written in the given pid files (missing or unreadable files are skipped). */
export function pidsFromFiles(files: readonly string[]): number[] {
  const pids: number[] = [];
  for (const f of files) {
    try {
      const pid = Number(readFileSync(f, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) pids.push(pid);
    } catch {
      /* not running */
    }
  }
  return pids;
}

/** Files in `dir` whose name matches `pattern` (full paths, sorted). */
export function filesMatching(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => pattern.test(n))
      .sort()
      .map((n) => `${dir}/${n}`);
  } catch {
    return [];
  }
}

/** Resident memory of a process in KiB, from /proc (0 when it is gone). */
export function rssKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, ..., utime at 11, stime at 12]. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** User + system CPU time of a process in seconds (clock ticks of 1/100 s, Linux's USER_HZ). */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / 100 : 0;
}

/** The pids and all their descendants (nginx workers of a master, a JVM under a wrapper). */
export function withDescendants(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [...roots];
  }
  for (const e of entries) {
    const f = statFields(Number(e));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0 && out.size < 10_000) {
    const pid = stack.pop()!;
    if (out.has(pid)) continue;
    out.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...out];
}

