/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by package and the top frames, the
 * figures issue notes quote. Usage: node dist/tools/bench/profile-top.js FILE.cpuprofile [frames]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
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
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/')}:${frame.lineNumber}`;
    byFrame.set(name, (byFrame.get(name) ?? 0) + dt);
    byPackage.set(packageOf(frame), (byPackage.get(packageOf(frame)) ?? 0) + dt);
    total += dt;
  });
  const table = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`).join('\n');
  console.log(`${(total / 1e6).toFixed(1)} s sampled\n-- self time by package\n${table(byPackage, 14)}\n-- top frames\n${table(byFrame, Number(frames))}`);
}

main();
