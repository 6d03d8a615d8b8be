/**
 * The JSON every benchmark scenario writes (`.data/bench/<scenario>-<stamp>/results.json`), read
 * back by the chart renderer and docs. Latencies in ms, rates per second, memory in KiB/MiB as
 * named; null where a figure could not be measured.
 */
import type { ClientStack } from '../loadgen/connections';
import type { LoadResult } from '../loadgen/result';

export type System = 'chatstream' | 'baseline';

export interface HostInfo {
  cpus: number;
  cpuModel: string | null;
  memoryGiB: number;
  loadavg: number[];
  node: string;
}

interface ResultsHeader {
  createdAt: string;
  host: HostInfo;
  /** The command that reproduces this run. */
  command: string;
  /** Wall time of the whole scenario. */
  seconds: number;
}

// --- sweep ---------------------------------------------------------------------------------------

/** One load point of one round: the load generator's result plus CPU seconds per component. */
export interface SweepRun {
  system: System;
  round: number;
  offered: number;
  result: LoadResult;
  /** CPU seconds used during the measured phase, by component name (gateway-1, kafka, store, loadgen, ...). */
  cpuSeconds: Record<string, number>;
}

/** The rates and latencies of a load generator run that a sweep point takes the median of. */
export const SWEEP_MEDIAN_FIELDS = ['ackedPerSecond', 'deliveredPerSecond', 'ackP50', 'ackP95', 'ackP99', 'ackMax', 'e2eP50', 'e2eP95', 'e2eP99', 'e2eMax'] as const;

/** The medians over the rounds of one (system, offered rate) point. */
export interface SweepPoint extends Pick<LoadResult, (typeof SWEEP_MEDIAN_FIELDS)[number]> {
  system: System;
  offered: number;
  rounds: number;
  /** Summed over the rounds (each must be 0). */
  lost: number;
  duplicates: number;
  outOfOrder: number;
  orderMismatches: number;
  failed: number;
  /** Median CPU ms per 1,000 deliveries, by component. */
  cpuMsPer1kByComponent: Record<string, number>;
  /** Median CPU ms per 1,000 deliveries, all components together. */
  cpuMsPer1kTotal: number | null;
}

export interface SweepResults extends ResultsHeader {
  scenario: 'sweep';
  /** `client`: the load generator's Socket.IO client stack (absent before it was an option: socket.io). */
  config: { client?: ClientStack; clients: number; rooms: number; rates: number[]; rounds: number; secondsPerPoint: number };
  runs: SweepRun[];
  points: SweepPoint[];
  /**
   * Per system: the first offered rate it did not keep up with (kept up: acked ≥ 95 % of offered
   * and ack p99 ≤ 1 s; null: it kept up with every rate), the highest rate below that one, and its
   * highest delivered/s over all points.
   */
  saturation: Record<System, { keptUpTo: number | null; saturatedAt: number | null; maxDeliveredPerSecond: number | null }>;
}

// --- history -------------------------------------------------------------------------------------

export type HistoryPageKind = 'latest' | 'before' | 'after';

export interface HistoryCase {
  roomSize: number;
  page: HistoryPageKind;
  connections: number;
  /** The request path (e.g. /api/rooms/x/messages?limit=50&before=51234). */
  path: string;
  seconds: number;
  requests: number;
  requestsPerSecond: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** Responses other than 2xx, and connection errors / timeouts. */
  non2xx: number;
  errors: number;
  /** Set when the case was not run, with the reason (e.g. a lower concurrency was already too slow). */
  skipped?: string;
}

export interface HistoryResults extends ResultsHeader {
  scenario: 'history';
  config: { roomSizes: number[]; connections: number[]; secondsPerCase: number; limit: number; rounds?: number };
  /** How long seeding took per room size (0 when an earlier run's rooms were reused). */
  seedSeconds: Record<string, number>;
  /** Each case's median over the rounds (seconds, requests and errors summed over them). */
  cases: HistoryCase[];
  /** Every round's cases, in the same order (absent in results from before rounds). */
  rounds?: HistoryCase[][];
  /**
   * For each (page, connections): p50 on the largest room / p50 on the smallest room.
   * ≈ 1.0 means the cost does not grow with the room.
   */
  growth: { page: HistoryPageKind; connections: number; p50Ratio: number | null; rpsRatio: number | null }[];
}

// --- connections ---------------------------------------------------------------------------------

export interface ConnectionStep {
  system: System;
  /** Connections held after this step. */
  connections: number;
  /** RSS of the socket servers (gateways or baseline replicas), summed. */
  serverRssMiB: number;
  /** (serverRss now - serverRss before any connection) / connections. */
  rssPerConnectionKiB: number | null;
  /**
   * (V8 heap in use now - before any connection) / connections, from the servers' /metrics: what
   * JavaScript objects cost per connection, apart from native buffers and V8's free space. It
   * counts garbage not yet collected too, so it is an upper bound; null if not exposed.
   */
  heapPerConnectionKiB: number | null;
  /** V8 heap in use by the socket servers, summed; null if not exposed. */
  serverHeapMiB: number | null;
  nginxRssMiB: number;
  /** The socket servers' event-loop lag (max over replicas) at this step; null if not exposed. */
  eventLoopLagMs: number | null;
  /** Time from starting a connection to its `session` event (chatstream) or `connect` (baseline). */
  connectP50: number | null;
  connectP99: number | null;
  /** Connections of this step that failed (then the ramp stops). */
  errors: number;
}

export interface ConnectionsResults extends ResultsHeader {
  scenario: 'connections';
  config: { target: number; step: number };
  steps: ConnectionStep[];
  /** Per system: connections held at the end, and why the ramp stopped. */
  outcome: Record<System, { held: number; stoppedBecause: string; healthyAtEnd: boolean | null; settled: SettledMemory | null }>;
}

/**
 * Memory per connection once the held connections have been idle for a while (`--settle-seconds`):
 * V8 collects the garbage of the connects only when a process goes quiet (its memory reducer) or
 * its heap fills, so figures taken right after a step also hold garbage. Both divide the growth
 * since before the first connection by the connections held.
 */
export interface SettledMemory {
  afterSeconds: number;
  connections: number;
  rssPerConnectionKiB: number | null;
  heapPerConnectionKiB: number | null;
}

// --- join ----------------------------------------------------------------------------------------

export interface JoinCase {
  roomSize: number;
  /** How far back `since` points (messages to replay, capped by the join page). */
  behind: number;
  joins: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  errors: Record<string, number>;
}

export interface JoinResults extends ResultsHeader {
  scenario: 'join';
  config: {
    roomSizes: number[];
    joinsPerCase: number;
    trafficPerSecond: number;
    /** Joins started per second (an open loop); 0 or absent: each joiner joins again once it has left. */
    joinsPerSecond?: number;
    /** Seconds of the same load (traffic and joins, unmeasured) before the cases; absent: none. */
    warmupSeconds?: number;
    /** Times every case was measured, one after another; absent: once. */
    rounds?: number;
  };
  /** What the background traffic achieved while the joins ran. */
  traffic: { ackedPerSecond: number | null; ackP99: number | null; failed: number };
  /** Per case, the median over the rounds of each figure (joins and errors: summed). */
  cases: JoinCase[];
  /** Every round's cases, in order; absent before rounds existed (one round: `cases`). */
  rounds?: JoinCase[][];
  /** The warm-up's joins, per case (the cold figures); absent before it existed. */
  warmup?: JoinCase[];
}

export type BenchResults = SweepResults | HistoryResults | ConnectionsResults | JoinResults;
