import { memoryPerAddedConnectionKiB } from './connections';
import type { ConnectionStep } from './results';

const step = (connections: number, serverRssMiB: number, serverHeapMiB: number | null): ConnectionStep => ({
  system: 'chatstream',
  connections,
  serverRssMiB,
  rssPerConnectionKiB: null,
  heapPerConnectionKiB: null,
  serverHeapMiB,
  nginxRssMiB: 0,
  eventLoopLagMs: null,
  connectP50: null,
  connectP99: null,
  errors: 0,
});

describe('memory per connection added after the first step', () => {
  it('is the growth from the first step to the last over the connections added between them', () => {
    // 3,000 → 9,000 connections, RSS 400 → 517.2 MiB: 117.2 MiB for 6,000 connections = 20.0 KiB each.
    const steps = [step(3000, 400, 60), step(6000, 460, 75), step(9000, 517.2, 90)];
    expect(memoryPerAddedConnectionKiB(steps, 'serverRssMiB')).toBe(20);
    expect(memoryPerAddedConnectionKiB(steps, 'serverHeapMiB')).toBe(5.1);
  });

  it('leaves out what the first step cost, however large', () => {
    const steps = [step(3000, 900, 60), step(6000, 960, 75)];
    expect(memoryPerAddedConnectionKiB(steps, 'serverRssMiB')).toBe(20.5);
  });

  it('is null with one step, with no connections added, or without the figure', () => {
    expect(memoryPerAddedConnectionKiB([step(3000, 400, 60)], 'serverRssMiB')).toBeNull();
    expect(memoryPerAddedConnectionKiB([step(3000, 400, 60), step(3000, 410, 61)], 'serverRssMiB')).toBeNull();
    expect(memoryPerAddedConnectionKiB([step(3000, 400, null), step(6000, 460, 75)], 'serverHeapMiB')).toBeNull();
  });
});
