import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Where the native topology keeps its state, by the rule of infra/lib/common.sh: CHATSTREAM_DATA,
 * else `.data` in the repo (the tests run from its root). Chaos tests find their victims here.
 */
const DATA_DIR = process.env.CHATSTREAM_DATA || '.data';

/** The pid of a topology process (`gateway-1`, `persister`, `api`, `kafka`, `mongo`, `redis`, `nginx`), from its pid file. */
export function topologyPid(name: string): number {
  return Number(readFileSync(join(DATA_DIR, 'run', `${name}.pid`), 'utf8'));
}

/** `supervisorctl` against the topology's own supervisord (start, stop, restart a service). */
export function supervise(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)('supervisorctl', ['-c', join(DATA_DIR, 'supervisor', 'supervisord.conf'), ...args]);
}

/** Whether the process now has another pid than `before` (supervisord restarted it); false while its pid file is missing. */
export function restartedSince(name: string, before: number): boolean {
  try {
    return topologyPid(name) !== before;
  } catch {
    return false;
  }
}

/** The topology's three gateways and their own ports (gateway i on 3100 + i: infra/lib/ports.sh). */
export const TOPOLOGY_GATEWAYS: readonly { instance: string; port: number }[] = [1, 2, 3].map((i) => ({ instance: `gateway-${i}`, port: 3100 + i }));

/** The topology's api on its own port (infra/lib/ports.sh), for its /metrics and /health. */
export const TOPOLOGY_API_PORT = 3200;
