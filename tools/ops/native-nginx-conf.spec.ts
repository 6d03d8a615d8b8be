import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The tool as scripts/topology.sh runs it (a plain JS file, run by node), on the repo's nginx.conf
// and on broken copies of it.
const TOOL = join(__dirname, 'native-nginx-conf.js');
const REPO_TEMPLATE = join(__dirname, '../../nginx.conf');

function render(template: string, gateways = '3101 3102', down = '') {
  const dir = mkdtempSync(join(tmpdir(), 'native-nginx-'));
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, template);
  const args = ['--template', file, '--prefix', '/run/n', '--logs', '/run/logs', '--web', '/repo/web'];
  args.push('--user-line', '# (not root)', '--workers', '3', '--rlimit', '1024', '--listen', '3001', '--api', '3200');
  args.push('--gateways', gateways, '--down', down);
  const sut = spawnSync('node', [TOOL, ...args], { encoding: 'utf8' });
  return { status: sut.status, out: sut.stdout, err: sut.stderr };
}

const repoTemplate = readFileSync(REPO_TEMPLATE, 'utf8');

describe('the native Nginx config (tools/ops/native-nginx-conf.js)', () => {
  it('keeps every line outside the native blocks and fills each block with the local value, indented like its marker', () => {
    const { status, out } = render(repoTemplate);

    expect(status).toBe(0);
    expect(out).toContain('\n    listen 127.0.0.1:3001 backlog=4096 reuseport;\n');
    expect(out).toContain('\nworker_processes 3;\nworker_rlimit_nofile 1024;\n');
    expect(out).toContain('\n  proxy_temp_path /run/n/proxy;\n');
    expect(out).toContain('\n      root /repo/web;\n');
    expect(out).not.toContain('server gateway:3101');
    expect(out).not.toMatch(/^\s*# [<>]{3} native:/m);
    const shared = repoTemplate.split('\n').filter((l) => l.includes('proxy_read_timeout') || l.includes('ip_hash;'));
    for (const line of shared) expect(out).toContain(line);
  });

  it('lists running gateways, then the scaled-away ones as down (their ip_hash mapping stays)', () => {
    const { out } = render(repoTemplate, '3101', '3102 3103');

    const servers = out.split('\n').filter((l) => l.includes('server 127.0.0.1:310'));
    expect(servers.map((l) => l.trim())).toEqual([
      'server 127.0.0.1:3101 max_fails=1 fail_timeout=5s;',
      'server 127.0.0.1:3102 down;  # scaled away; keeps the ip_hash mapping',
      'server 127.0.0.1:3103 down;  # scaled away; keeps the ip_hash mapping',
    ]);
  });

  it.each([
    ['an unknown block', (t: string) => t.replaceAll('native:web_root', 'native:webroot'), 'unknown native block webroot'],
    ['a missing block', (t: string) => t.replace(/^.*native:api\n/gm, ''), 'native block api found 0 times (expected once)'],
    ['a block opened inside another', (t: string) => t.replace(/^.*# <<< native:main\n/m, ''), 'block rlimit opens inside block main'],
    ['an unterminated block', (t: string) => t.replace(/^.*# <<< native:web_root\n/m, ''), 'block web_root is not closed'],
  ])('refuses a template with %s, saying which', (_what, breakIt, message) => {
    const { status, out, err } = render(breakIt(repoTemplate));

    expect(status).toBe(1);
    expect(out).toBe('');
    expect(err.trim()).toBe(`nginx.conf: ${message}`);
  });
});
