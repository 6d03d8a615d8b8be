import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseClientStack, type ClientStack } from './connections';

export type Mode = 'chatstream' | 'baseline';

export interface LoadOptions {
  mode: Mode;
  client: ClientStack;
  url: string;
  clients: number;
  rooms: number;
  messages: number;
  intervalMs: number;
  warmup: number;
  maxSeconds: number;
  drainSeconds: number;
  maxInflight: number;
  firstSubnet: number;
  /** Pid files of the server processes that hold the connections (RSS, CPU). */
  pidFiles: string[];
  /** Pid files of the other processes on the message path (CPU only; descendants included). */
  supportPidFiles: string[];
  /** Named groups of pid files whose CPU is reported separately (descendants included). */
  components: { name: string; pidFiles: string[] }[];
  /** Print a progress line to stderr every few seconds. */
  progress: boolean;
  out: string | null;
  label: string;
}

export const USAGE = `usage: node dist/tools/loadgen/loadgen.js [options]   (each also as an env variable)
  --mode chatstream|baseline   LOADGEN_MODE          chatstream: login + JWT; baseline: auth {username}
  --client raw|socket.io       LOADGEN_CLIENT        raw (default): the Socket.IO protocol on ws itself; socket.io: socket.io-client
  --url URL                    LOADGEN_URL           default http://127.0.0.1:3001 (baseline: :3002)
  --clients N                  LOADGEN_CLIENTS       default 60 (client i binds sourceAddress(first-subnet + i) of @app/client)
  --rooms N                    LOADGEN_ROOMS         default 6 (each room gets members on every replica)
  --messages N                 LOADGEN_MESSAGES      measured messages per client, default 50
  --interval MS                LOADGEN_INTERVAL_MS   send interval per client (open loop), default 20
  --warmup N                   LOADGEN_WARMUP        unmeasured messages per client first, default 5
  --max-seconds S              LOADGEN_MAX_SECONDS   hard bound on the whole run, default 60
  --drain-seconds S            LOADGEN_DRAIN_SECONDS wait at most this for the last deliveries, default 10
  --max-inflight N             LOADGEN_MAX_INFLIGHT  unacknowledged sends per client, default 64
  --first-subnet X             LOADGEN_FIRST_SUBNET  default 1
  --pid-files a,b,c            LOADGEN_PID_FILES     default .data/run/gateway-*.pid (baseline: .data/bench/run/baseline-[0-9]*.pid)
  --support-pid-files a,b      LOADGEN_SUPPORT_PID_FILES  CPU only (kafka, persister, redis, nginx ...)
  --component NAME=a+b         (repeatable) CPU of these pid files reported as NAME (descendants included)
  --progress                   a progress line on stderr every 3 s
  --out FILE                   LOADGEN_OUT           also write the JSON result there
  --label TEXT                 LOADGEN_LABEL`;

const int = (name: string, raw: string, min: number, max: number): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max} (got '${raw}')`);
  return n;
};

/** The data folder of the checkout (as infra/lib/common.sh: CHATSTREAM_DATA or <repo>/.data). */
export function dataDir(): string {
  // this file runs as dist/tools/loadgen/options.js
  return process.env.CHATSTREAM_DATA ?? resolve(__dirname, '../../../.data');
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string' },
      client: { type: 'string' },
      url: { type: 'string' },
      clients: { type: 'string' },
      rooms: { type: 'string' },
      messages: { type: 'string' },
      interval: { type: 'string' },
      warmup: { type: 'string' },
      'max-seconds': { type: 'string' },
      'drain-seconds': { type: 'string' },
      'max-inflight': { type: 'string' },
      'first-subnet': { type: 'string' },
      'pid-files': { type: 'string' },
      'support-pid-files': { type: 'string' },
      component: { type: 'string', multiple: true },
      progress: { type: 'boolean' },
      out: { type: 'string' },
      label: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const pick = (arg: string | undefined, envName: string, fallback: string): string => arg ?? env[envName] ?? fallback;
  const modeRaw = pick(values.mode, 'LOADGEN_MODE', 'chatstream');
  if (modeRaw !== 'chatstream' && modeRaw !== 'baseline') throw new Error(`--mode must be chatstream or baseline (got '${modeRaw}')`);
  const mode: Mode = modeRaw;
  const client = parseClientStack(pick(values.client, 'LOADGEN_CLIENT', 'raw'));
  const url = pick(values.url, 'LOADGEN_URL', mode === 'chatstream' ? 'http://127.0.0.1:3001' : 'http://127.0.0.1:3002').replace(/\/+$/, '');
  const clients = int('--clients', pick(values.clients, 'LOADGEN_CLIENTS', '60'), 1, 20_000);
  const rooms = int('--rooms', pick(values.rooms, 'LOADGEN_ROOMS', '6'), 1, clients);
  const messages = int('--messages', pick(values.messages, 'LOADGEN_MESSAGES', '50'), 1, 1_000_000);
  const intervalMs = int('--interval', pick(values.interval, 'LOADGEN_INTERVAL_MS', '20'), 0, 60_000);
  const warmup = int('--warmup', pick(values.warmup, 'LOADGEN_WARMUP', '5'), 0, 100_000);
  const maxSeconds = int('--max-seconds', pick(values['max-seconds'], 'LOADGEN_MAX_SECONDS', '60'), 1, 3600);
  const drainSeconds = int('--drain-seconds', pick(values['drain-seconds'], 'LOADGEN_DRAIN_SECONDS', '10'), 0, 600);
  const maxInflight = int('--max-inflight', pick(values['max-inflight'], 'LOADGEN_MAX_INFLIGHT', '64'), 1, 100_000);
  const firstSubnet = int('--first-subnet', pick(values['first-subnet'], 'LOADGEN_FIRST_SUBNET', '1'), 1, 254);
  const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  const pidFilesRaw = values['pid-files'] ?? env.LOADGEN_PID_FILES;
  const supportRaw = values['support-pid-files'] ?? env.LOADGEN_SUPPORT_PID_FILES;
  const out = values.out ?? env.LOADGEN_OUT ?? null;
  const components = (values.component ?? []).map((raw) => {
    const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(raw);
    if (!m) throw new Error(`--component must be NAME=pidfile[+pidfile...] (got '${raw}')`);
    return { name: m[1]!, pidFiles: m[2]!.split('+').filter((x) => x.length > 0) };
  });
  return {
    mode,
    client,
    url,
    clients,
    rooms,
    messages,
    intervalMs,
    warmup,
    maxSeconds,
    drainSeconds,
    maxInflight,
    firstSubnet,
    pidFiles: pidFilesRaw !== undefined ? list(pidFilesRaw) : [],
    supportPidFiles: supportRaw !== undefined ? list(supportRaw) : [],
    components,
    progress: values.progress === true,
    out: out && out.length > 0 ? out : null,
    label: pick(values.label, 'LOADGEN_LABEL', mode),
  };
}
