#!/usr/bin/env node
// The checks of `scripts/topology.sh health` (and so of `./docker-start.sh health` natively).
// Plain JS run by node as is: it must work before anything is built and while nothing runs.
//
//   node tools/ops/health.js NAME=CHECK...
//     http://...   GET, ok when 200; the detail names the /health checks of terminus'
//                  answer ("kafka up, mongodb up")
//     tcp:PORT     a TCP connection to 127.0.0.1:PORT opens
//     redis:PORT   Redis on 127.0.0.1:PORT answers PING with PONG
//     skip:TEXT    not checked here (an external MONGO_URL): ok, with TEXT as the detail
//
// One line per check, in the order given ("✓ name  detail" or "✗ name  detail", green and red on
// a terminal), then "all healthy" (exit 0) or "N check(s) failed" (exit 1); exit 2 for a check
// it does not know. The checks run at once, each bounded in time (HTTP 5 s, TCP 2 s, Redis 3 s).
'use strict';
const net = require('node:net');

const HOST = '127.0.0.1';
const tty = process.stdout.isTTY;
const OK = tty ? '\x1b[32m✓\x1b[0m' : '✓';
const BAD = tty ? '\x1b[31m✗\x1b[0m' : '✗';

/** "kafka up, mongodb up" from a terminus answer ({ details: { name: { status } } }); '' otherwise. */
function dependencyStatuses(body) {
  let details;
  try {
    details = JSON.parse(body).details;
  } catch {
    return '';
  }
  if (details === null || typeof details !== 'object') return '';
  return Object.entries(details)
    .filter(([, v]) => v !== null && typeof v === 'object' && typeof v.status === 'string')
    .map(([name, v]) => `${name} ${v.status}`)
    .join(', ');
}

async function checkHttp(url) {
  let code = 'no answer';
  let statuses = '';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    code = res.status;
    statuses = dependencyStatuses(await res.text());
  } catch {
    // refused, timed out or cut off: no answer
  }
  return { ok: code === 200, detail: `${url} ${code}${statuses ? ` (${statuses})` : ''}` };
}

/**
 * Opens a TCP connection to HOST:port and, with a request, sends it. Resolves with the first line
 * of the reply ('' without a request), or null when refused, cut off or not done within timeoutMs.
 */
function exchange(port, timeoutMs, request) {
  return new Promise((resolve) => {
    let reply = '';
    const socket = net.connect({ host: HOST, port });
    const finish = (result) => {
      socket.destroy();
      resolve(result); // the first call wins
    };
    socket.setTimeout(timeoutMs, () => finish(null));
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('connect', () => (request ? socket.write(request) : finish('')));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) finish(reply.slice(0, reply.indexOf('\r\n')));
    });
  });
}

async function checkTcp(port) {
  const open = (await exchange(port, 2000)) !== null;
  return { ok: open, detail: `tcp ${HOST}:${port} ${open ? 'open' : 'closed'}` };
}

async function checkRedis(port) {
  // A RESP simple string (+PONG) or error (-ERR ...), shown without its type byte.
  const reply = (await exchange(port, 3000, 'PING\r\n'))?.replace(/^[+-]/, '');
  return reply === 'PONG'
    ? { ok: true, detail: `tcp ${HOST}:${port} open, ping: PONG` }
    : { ok: false, detail: `ping on ${HOST}:${port}: ${reply || 'no answer'}` };
}

function check(spec) {
  const [, kind, arg] = /^([a-z]+):(.*)$/s.exec(spec) ?? [];
  if (kind === 'http' || kind === 'https') return checkHttp(spec);
  if (kind === 'tcp') return checkTcp(Number(arg));
  if (kind === 'redis') return checkRedis(Number(arg));
  if (kind === 'skip') return Promise.resolve({ ok: true, detail: arg });
  throw new Error(`unknown check '${spec}' (http://..., tcp:PORT, redis:PORT or skip:TEXT)`);
}

async function main(args) {
  const checks = args.map((a) => /^(?<name>[^=]+)=(?<spec>.+)$/s.exec(a)?.groups);
  if (checks.length === 0 || !checks.every(Boolean)) throw new Error('usage: node tools/ops/health.js NAME=CHECK...');
  const results = await Promise.all(checks.map((c) => check(c.spec)));
  results.forEach(({ ok, detail }, i) => console.log(`${ok ? OK : BAD} ${checks[i].name.padEnd(11)} ${detail}`));
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed > 0 ? `${failed} check(s) failed` : 'all healthy');
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`health: ${error.message}`);
    process.exitCode = 2;
  },
);
