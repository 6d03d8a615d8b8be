/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by package and the top frames, and
 * the busy time spent under each frame (its callees included, idle left out): the figures issue
 * notes quote. Usage: node dist/tools/bench/profile-top.js FILE.cpuprofile [frames]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url.includes('/dist/') ? 'chatstream' : url;
}

const frameName = (frame: ProfileNode['callFrame']): string =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/')}:${frame.lineNumber}`;

/** Time under each frame (self + callees), counted once per sample even when the frame recurses. */
function inclusiveTimes(profile: CpuProfile, nodes: Map<number, ProfileNode>): Map<string, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const under = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const node = nodes.get(id)!;
    const name = frameName(node.callFrame);
    const inner = new Set(onStack).add(name);
    const time = (node.children ?? []).reduce((t, child) => t + walk(child, inner), self.get(id) ?? 0);
    if (!onStack.has(name)) under.set(name, (under.get(name) ?? 0) + time);
    return time;
  };
  walk(profile.nodes[0]!.id, new Set());
  return under;
}

function main(): void {
  const [file, frames = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-top FILE.cpuprofile [frames]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFrame = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(id)!.callFrame;
    const name = frameName(frame);
    byFrame.set(name, (byFrame.get(name) ?? 0) + dt);
    byPackage.set(packageOf(frame), (byPackage.get(packageOf(frame)) ?? 0) + dt);
    total += dt;
  });
  const table = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`).join('\n');
  console.log(`${(total / 1e6).toFixed(1)} s sampled\n-- self time by package\n${table(byPackage, 14)}\n-- top frames\n${table(byFrame, Number(frames))}`);
  const under = inclusiveTimes(profile, nodes);
  const busy = total - (byPackage.get('(idle)') ?? 0);
  const skip = /^\((root|idle|program|garbage collector)\)/;
  const top = [...under].filter(([k]) => !skip.test(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(frames));
  console.log(`-- busy time under each frame (callees included; ${(busy / 1e6).toFixed(1)} s busy)\n${top.map(([k, t]) => `${((100 * t) / busy).toFixed(1).padStart(5)} %  ${k}`).join('\n')}`);
}

main();
