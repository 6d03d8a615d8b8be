/** Builders of result objects for the specs of tools/bench (only the fields a test cares about are given). */
import type { LoadResult } from '../loadgen/result';
import type { HistoryCase, SweepPoint, SweepRun } from './results';

export function loadResult(over: Partial<LoadResult> = {}): LoadResult {
  return {
    label: 'test',
    mode: 'chatstream',
    url: 'http://127.0.0.1:3001',
    startedAt: '2025-01-01T00:00:00.000Z',
    config: { client: 'raw', clients: 100, rooms: 10, messagesPerClient: 10, intervalMs: 100, warmupPerClient: 0, maxSeconds: 60, offeredPerSecond: 1000 },
    distribution: {},
    roomsSpanningReplicas: 0,
    sent: 1000,
    acked: 1000,
    failed: 0,
    errors: {},
    rateLimitedRetries: 0,
    ackedPerSecond: 1000,
    deliveredPerSecond: 10000,
    ackSeconds: 1,
    deliverSeconds: 1,
    ackP50: 1,
    ackP95: 2,
    ackP99: 3,
    ackMax: 4,
    e2eP50: 2,
    e2eP95: 3,
    e2eP99: 4,
    e2eMax: 5,
    expectedDeliveries: 10000,
    delivered: 10000,
    lost: 0,
    unexpected: 0,
    duplicates: 0,
    outOfOrder: 0,
    orderMismatches: 0,
    senderReorders: 0,
    disconnects: 0,
    errorEvents: 0,
    timedOut: false,
    serverPids: [],
    rssBeforeMiB: null,
    rssConnectedMiB: null,
    rssAfterMiB: null,
    rssPerConnectionKiB: null,
    serverCpuSeconds: null,
    supportCpuSeconds: null,
    cpuMsPer1kDeliveries: null,
    cpuSecondsByComponent: {},
    loadgenLoopDelayP99Ms: null,
    ...over,
  };
}

export function sweepRun(over: Partial<Omit<SweepRun, 'result'>> & { result?: Partial<LoadResult> } = {}): SweepRun {
  return { system: 'chatstream', round: 1, offered: 1000, cpuSeconds: {}, ...over, result: loadResult(over.result) };
}

export function sweepPoint(over: Partial<SweepPoint> = {}): SweepPoint {
  return {
    system: 'chatstream',
    offered: 1000,
    rounds: 1,
    ackedPerSecond: 1000,
    deliveredPerSecond: 10000,
    ackP50: 1,
    ackP95: 2,
    ackP99: 3,
    ackMax: 4,
    e2eP50: 2,
    e2eP95: 3,
    e2eP99: 4,
    e2eMax: 5,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    orderMismatches: 0,
    failed: 0,
    cpuMsPer1kByComponent: {},
    cpuMsPer1kTotal: null,
    ...over,
  };
}

export function historyCase(over: Partial<HistoryCase> = {}): HistoryCase {
  return {
    roomSize: 1000,
    page: 'latest',
    connections: 10,
    path: '/api/rooms/r/messages?limit=50',
    seconds: 10,
    requests: 10000,
    requestsPerSecond: 1000,
    p50: 5,
    p90: 8,
    p99: 12,
    max: 30,
    non2xx: 0,
    errors: 0,
    ...over,
  };
}
