import type { ClientStack } from './connections';

/** One load generator run (the JSON line it prints). Latencies in ms; null where not measurable. */
export interface LoadResult {
  label: string;
  mode: 'chatstream' | 'baseline';
  url: string;
  startedAt: string;
  config: {
    /** The load generator's Socket.IO client stack (absent in results before it was an option: socket.io). */
    client: ClientStack;
    clients: number;
    rooms: number;
    messagesPerClient: number;
    intervalMs: number;
    warmupPerClient: number;
    maxSeconds: number;
    /** messages/s the clients try to send (clients × 1000 / interval). */
    offeredPerSecond: number | null;
  };
  /** Clients per `session.instance` (the replica each landed on). */
  distribution: Record<string, number>;
  /** rooms with members on more than one replica (all of them, unless only one replica is reached) */
  roomsSpanningReplicas: number;
  sent: number;
  acked: number;
  failed: number;
  errors: Record<string, number>;
  rateLimitedRetries: number;
  ackedPerSecond: number | null;
  deliveredPerSecond: number | null;
  ackSeconds: number | null;
  deliverSeconds: number | null;
  ackP50: number | null;
  ackP95: number | null;
  ackP99: number | null;
  ackMax: number | null;
  e2eP50: number | null;
  e2eP95: number | null;
  e2eP99: number | null;
  e2eMax: number | null;
  expectedDeliveries: number;
  delivered: number;
  /** acknowledged message × room member that never received it */
  lost: number;
  /** deliveries of messages whose send was not acknowledged (ack timeout or error) */
  unexpected: number;
  duplicates: number;
  /** a receiver's seq did not increase (null: the server sends no seq) */
  outOfOrder: number | null;
  /** receivers whose order of their room differs from the room's first member */
  orderMismatches: number;
  /** a sender's messages arrived at a receiver not in the order sent */
  senderReorders: number;
  disconnects: number;
  errorEvents: number;
  timedOut: boolean;
  serverPids: number[];
  rssBeforeMiB: number | null;
  rssConnectedMiB: number | null;
  rssAfterMiB: number | null;
  rssPerConnectionKiB: number | null;
  /** CPU of the connection-holding servers (gateways / baseline replicas) during the measured phase */
  serverCpuSeconds: number | null;
  /** CPU of the other listed processes (Kafka, persister, Redis, Nginx, ...) in the same window */
  supportCpuSeconds: number | null;
  cpuMsPer1kDeliveries: number | null;
  /** CPU seconds of each --component during the measured phase, plus `loadgen` (this process). */
  cpuSecondsByComponent: Record<string, number>;
  loadgenLoopDelayP99Ms: number | null;
}

/** The figures compared between the two systems, in table order, with units. */
export const METRICS: readonly { key: keyof LoadResult; label: string; unit: string }[] = [
  { key: 'ackedPerSecond', label: 'acknowledged/s', unit: 'msg/s' },
  { key: 'deliveredPerSecond', label: 'delivered/s', unit: 'msg/s' },
  { key: 'ackP50', label: 'ack p50', unit: 'ms' },
  { key: 'ackP95', label: 'ack p95', unit: 'ms' },
  { key: 'ackP99', label: 'ack p99', unit: 'ms' },
  { key: 'e2eP50', label: 'send→receive p50', unit: 'ms' },
  { key: 'e2eP95', label: 'send→receive p95', unit: 'ms' },
  { key: 'e2eP99', label: 'send→receive p99', unit: 'ms' },
  { key: 'e2eMax', label: 'send→receive max', unit: 'ms' },
  { key: 'failed', label: 'failed sends', unit: '' },
  { key: 'lost', label: 'lost deliveries', unit: '' },
  { key: 'duplicates', label: 'duplicates', unit: '' },
  { key: 'outOfOrder', label: 'out of order (seq)', unit: '' },
  { key: 'orderMismatches', label: 'room order mismatches', unit: 'receivers' },
  { key: 'senderReorders', label: 'sender reorders', unit: '' },
  { key: 'rssBeforeMiB', label: 'server RSS before', unit: 'MiB' },
  { key: 'rssAfterMiB', label: 'server RSS after', unit: 'MiB' },
  { key: 'rssPerConnectionKiB', label: 'RSS per connection', unit: 'KiB' },
  { key: 'serverCpuSeconds', label: 'CPU, socket servers', unit: 's' },
  { key: 'supportCpuSeconds', label: 'CPU, rest of the path', unit: 's' },
  { key: 'cpuMsPer1kDeliveries', label: 'CPU per 1k deliveries', unit: 'ms' },
  { key: 'loadgenLoopDelayP99Ms', label: 'loadgen loop delay p99', unit: 'ms' },
];

export const fmt = (v: unknown): string => (v === null || v === undefined ? '-' : typeof v === 'number' ? String(v) : JSON.stringify(v));

/** A readable table of one run. */
export function formatResult(r: LoadResult): string {
  const c = r.config;
  const lines = [
    `${r.label} (${r.mode}, ${c.client} client) ${r.url}: ${c.clients} clients, ${c.rooms} rooms, ${c.messagesPerClient} msgs/client every ${c.intervalMs} ms ` +
      `(offered ${fmt(c.offeredPerSecond)} msg/s), warm-up ${c.warmupPerClient}`,
    `  clients per instance: ${Object.entries(r.distribution)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}; rooms spanning several replicas: ${r.roomsSpanningReplicas}/${c.rooms}`,
    `  sent ${r.sent}, acked ${r.acked}, failed ${r.failed} ${Object.keys(r.errors).length ? JSON.stringify(r.errors) : ''}, rate-limited retries ${r.rateLimitedRetries}`,
    `  deliveries ${r.delivered}/${r.expectedDeliveries} expected, unexpected ${r.unexpected}, disconnects ${r.disconnects}, error events ${r.errorEvents}${r.timedOut ? ', TIMED OUT (max-seconds)' : ''}`,
    `  rss connected ${fmt(r.rssConnectedMiB)} MiB (pids ${r.serverPids.join(',') || 'none'})`,
  ];
  for (const m of METRICS) lines.push(`  ${m.label.padEnd(24)} ${fmt(r[m.key]).padStart(10)} ${m.unit}`);
  return lines.join('\n');
}
