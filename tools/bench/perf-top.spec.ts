import { formatSummary, ownerOf, parsePerfScript, sampleOwner, summarise } from './perf-top';

/** Three samples as `perf script` prints them for a node process run with --perf-basic-prof. */
const PERF_SCRIPT = [
  'node 30594  8535.658481:    1001001 cpu-clock:ppp: ',
  '\t          9da8b7 node::StreamBase::JSMethod<&node::StreamBase::Writev>+0x97 (/usr/bin/node)',
  '\t    7f25502fa5dd JS:*writevGeneric node:internal/stream_base_commons:123:23+0x6dd (/tmp/perf-30594.map)',
  '\t    7f25502fc968 JS:*sendFrame /work/main/node_modules/ws/lib/sender.js:563:12+0x468 (/tmp/perf-30594.map)',
  '\t    7f2550337854 JS:*toRoom /work/main/dist/apps/gateway/src/socket/local-sockets.js:61:11+0x754 (/tmp/perf-30594.map)',
  '\t    7f2550355961 JS:*processEachBatch /work/main/node_modules/kafkajs/src/consumer/runner.js:264:25+0x6a1 (/tmp/perf-30594.map)',
  '',
  'node 30594  8535.659482:    1001001 cpu-clock:ppp: ',
  '\tffffffff813aecd3 finish_task_switch.isra.0+0x93 ([kernel.kallsyms])',
  '\t    7f2550337854 JS:^toRoom /work/main/dist/apps/gateway/src/socket/local-sockets.js:61:11+0x754 (/tmp/perf-30594.map)',
  '\t    7f2550355961 JS:*processEachBatch /work/main/node_modules/kafkajs/src/consumer/runner.js:264:25+0x6a1 (/tmp/perf-30594.map)',
  '',
  'node 30601  8535.660483:    1001001 cpu-clock:ppp: ',
  '\t          c4993d v8::internal::Scavenger::ScavengeObject+0x58d (/usr/bin/node)',
  '\t          c4ab6f node::(anonymous namespace)::PlatformWorkerThread+0x191 (/usr/bin/node)',
  '',
].join('\n');

describe('perf-top (on-CPU profile summary)', () => {
  const samples = parsePerfScript(PERF_SCRIPT);

  it('reads each sample with its frames, the innermost first', () => {
    expect(samples).toHaveLength(3);
    expect(samples[0]![0]).toBe('node::StreamBase::JSMethod<&node::StreamBase::Writev>+0x97 (/usr/bin/node)');
    expect(samples[1]).toHaveLength(3);
  });

  it("gives a sample to the nearest package or chatstream file, past node's own modules", () => {
    expect(sampleOwner(samples[0]!)).toBe('ws');
    expect(sampleOwner(samples[1]!)).toBe('apps/gateway/socket/local-sockets.js');
    expect(sampleOwner(samples[2]!)).toBe('(native) node::(anonymous namespace)::PlatformWorkerThread');
  });

  it('names scoped and nested packages by their innermost node_modules', () => {
    expect(ownerOf('/w/node_modules/@nestjs/platform-socket.io/node_modules/socket.io/dist/broadcast-operator.js')).toBe('socket.io');
    expect(ownerOf('/w/node_modules/@nestjs/core/router.js')).toBe('@nestjs/core');
  });

  it('counts where samples end, and each frame once per sample it is on', () => {
    const sut = summarise(samples);
    expect(sut.samples).toBe(3);
    expect(sut.byLeaf).toEqual([
      ['native', 1],
      ['kernel', 1],
      ['gc', 1],
    ]);
    expect(sut.inclusive.slice(0, 2)).toEqual([
      ['apps/gateway/socket/local-sockets.js toRoom', 2],
      ['kafkajs processEachBatch', 2],
    ]);
    expect(formatSummary(sut)).toContain(' 66.7 %  kafkajs processEachBatch');
  });
});
