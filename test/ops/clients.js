#!/usr/bin/env node
// Socket.IO clients for the ops test (test/ops/docker-start.test.sh), through Nginx :3001, using
// the public protocol (/work/shared/PROTOCOL.md). Plain JS: runs with the repo's node_modules only.
//
//   node test/ops/clients.js chat --state FILE --stop FILE [--replicas 3] [--per-replica 2]
//        [--first-subnet 1] [--interval-ms 300] [--max-seconds 600]
//     Connects clients from successive /24s of 127.0.0.0/8 (Nginx ip_hash spreads them) until
//     `replicas` gateways have `per-replica` clients each; they create and join one room and keep
//     sending message:send, each in turn, until FILE --stop exists (or max-seconds). A client that
//     is disconnected (its replica was scaled away) reconnects through Nginx and joins again with
//     `since` = the last seq it saw. The state (per client: instance, sends, acks, deliveries,
//     duplicates, order errors, reconnects; at the end: missing messages) is rewritten to --state
//     every 500 ms; `done: true` marks the final one.
//
//   node test/ops/clients.js probe [--want gateway-4,gateway-5] [--only gateway-1,gateway-2]
//        [--count N] [--room ID] [--first-subnet 100] [--tries 60]
//     Connects new clients until every --want instance was seen (and at least --count clients);
//     with --room, one client per wanted instance joins it and sends a message it must receive
//     back. Prints one JSON line; exits 0 when every wanted instance was seen (and echoed) and,
//     with --only, no other instance was.
'use strict';
const fs = require('node:fs');
const { randomUUID } = require('node:crypto');
const { io } = require('socket.io-client');

const BASE_URL = process.env.CHATSTREAM_URL || 'http://127.0.0.1:3001';

function parseArgs(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) out[a.slice(2)] = argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    else out._.push(a);
  }
  return out;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const subnetIp = (n) => `127.${Math.floor(n / 250)}.${(n % 250) + 1}.1`; // a distinct /24 per n (n >= 0)

async function login(username) {
  const res = await fetch(`${BASE_URL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** One user on one socket, bound to a source address. Resolves after the first `session`. */
async function connect(name, sourceIp) {
  const who = await login(name);
  const socket = io(BASE_URL, {
    auth: { token: who.token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    localAddress: sourceIp,
  });
  const client = { name, sourceIp, user: who.user, socket, sessions: [], disconnects: 0, lastConnectError: null };
  socket.on('session', (s) => client.sessions.push(s));
  socket.on('disconnect', () => (client.disconnects += 1));
  socket.on('connect_error', (e) => (client.lastConnectError = e.message));
  const deadline = Date.now() + 15_000;
  while (client.sessions.length === 0) {
    if (Date.now() > deadline) {
      socket.close();
      throw new Error(`no session for ${name} from ${sourceIp} within 15 s (${client.lastConnectError || 'no error'})`);
    }
    await sleep(20);
  }
  return client;
}

function call(socket, event, payload, timeoutMs = 15_000) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: { code: 'timeout', message: `no ack for ${event}` } }), timeoutMs);
    socket.emit(event, payload, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}
const instanceOf = (c) => c.sessions.at(-1)?.instance;

// ---------------------------------------------------------------------------------------------
async function chat(args) {
  const replicas = Number(args.replicas || 3);
  const perReplica = Number(args['per-replica'] || 2);
  const firstSubnet = Number(args['first-subnet'] || 1);
  const intervalMs = Number(args['interval-ms'] || 300);
  const maxSeconds = Number(args['max-seconds'] || 600);
  const stateFile = args.state;
  const stopFile = args.stop;
  if (!stateFile || !stopFile) throw new Error('chat needs --state FILE and --stop FILE');
  const tag = `ops${process.pid}`;
  const started = Date.now();

  // Clients from successive /24s until each of `replicas` instances has perReplica of them.
  const byInstance = new Map();
  const clients = [];
  for (let n = firstSubnet; n < firstSubnet + 60 && clients.length < replicas * perReplica; n++) {
    const c = await connect(`${tag}-${n}`, subnetIp(n));
    const list = byInstance.get(instanceOf(c)) || [];
    if (list.length < perReplica && (list.length > 0 || byInstance.size < replicas)) {
      list.push(c);
      byInstance.set(instanceOf(c), list);
      clients.push(c);
    } else c.socket.close();
  }
  if (byInstance.size < replicas) throw new Error(`only reached ${[...byInstance.keys()].join(', ')} with 60 addresses`);

  const created = await call(clients[0].socket, 'room:create', { name: `ops ${tag}` });
  if (!created.ok) throw new Error(`room:create: ${JSON.stringify(created.error)}`);
  const roomId = created.room.id;

  const acked = new Map(); // message id -> seq, every message the server acknowledged
  const st = clients.map((c) => ({
    c,
    joined: false,
    rejoining: false,
    seen: new Map(), // id -> seq
    lastSeq: -1,
    liveOrderErrors: 0,
    dups: 0,
    foreign: [],
    sent: 0,
    ackedCount: 0,
    failed: 0,
    lastError: null,
    rejoins: 0,
    rejoinErrors: 0,
    hasMore: false,
    instances: [instanceOf(c)],
  }));

  const record = (s, m, live) => {
    if (m.roomId !== roomId) return;
    if (s.seen.has(m.id)) {
      s.dups += 1;
      return;
    }
    if (live && m.seq <= s.lastSeq) s.liveOrderErrors += 1;
    s.seen.set(m.id, m.seq);
    if (m.seq > s.lastSeq) s.lastSeq = m.seq;
    if (!m.user || !String(m.user.username).startsWith(tag)) s.foreign.push(m.id);
  };

  for (const s of st) {
    s.c.socket.on('message', ({ message }) => {
      if (s.joined && !s.rejoining) record(s, message, true);
      else if (s.rejoining) (s.buffer ||= []).push(message);
    });
    // A new session after the first one: the replica went away and Nginx sent us elsewhere.
    s.c.socket.on('session', async (session) => {
      if (s.instances.length === 0 || s.c.sessions.length <= 1) return;
      s.instances.push(session.instance);
      s.rejoining = true;
      s.buffer = [];
      const answer = await call(s.c.socket, 'room:join', { roomId, since: Math.max(0, s.lastSeq) });
      s.rejoins += 1;
      if (answer.ok) {
        for (const m of answer.messages) record(s, m, false);
        s.hasMore ||= !!answer.hasMore;
        for (const m of s.buffer) record(s, m, false);
      } else {
        s.rejoinErrors += 1;
        s.lastError = answer.error;
      }
      s.buffer = [];
      s.rejoining = false;
    });
  }
  for (const s of st) {
    const answer = await call(s.c.socket, 'room:join', { roomId });
    if (!answer.ok) throw new Error(`room:join for ${s.c.name}: ${JSON.stringify(answer.error)}`);
    for (const m of answer.messages) record(s, m, false);
    s.joined = true;
  }

  const pending = new Set();
  const snapshot = (extra = {}) => ({
    pid: process.pid,
    roomId,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    acked: acked.size,
    clients: st.map((s) => ({
      name: s.c.name,
      sourceIp: s.c.sourceIp,
      instance: instanceOf(s.c),
      instances: s.instances,
      connected: s.c.socket.connected,
      disconnects: s.c.disconnects,
      rejoins: s.rejoins,
      rejoinErrors: s.rejoinErrors,
      sent: s.sent,
      acked: s.ackedCount,
      failed: s.failed,
      lastError: s.lastError,
      received: s.seen.size,
      duplicates: s.dups,
      liveOrderErrors: s.liveOrderErrors,
      hasMore: s.hasMore,
      foreign: s.foreign,
    })),
    ...extra,
  });
  const write = (obj) => {
    fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify(obj, null, 1));
    fs.renameSync(`${stateFile}.tmp`, stateFile);
  };
  const writer = setInterval(() => write(snapshot({ phase: 'sending' })), 500);
  write(snapshot({ phase: 'sending' }));

  // Each client in turn sends one message every intervalMs (acks are awaited in the background).
  let turn = 0;
  while (!fs.existsSync(stopFile) && Date.now() - started < maxSeconds * 1000) {
    const s = st[turn++ % st.length];
    if (s.c.socket.connected && s.joined && !s.rejoining) {
      s.sent += 1;
      const p = call(s.c.socket, 'message:send', { roomId, text: `${s.c.name} #${s.sent}`, clientMsgId: randomUUID() }).then((a) => {
        if (a.ok) {
          s.ackedCount += 1;
          acked.set(a.message.id, a.message.seq);
        } else {
          s.failed += 1;
          s.lastError = a.error;
        }
      });
      pending.add(p);
      p.finally(() => pending.delete(p));
    }
    await sleep(Math.max(1, Math.round(intervalMs / st.length)));
  }

  // Drain: wait for the outstanding acks, then for every client to have every acked message.
  clearInterval(writer);
  await Promise.race([Promise.allSettled([...pending]), sleep(16_000)]);
  const missingOf = (s) => [...acked.keys()].filter((id) => !s.seen.has(id));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && st.some((s) => missingOf(s).length > 0)) await sleep(100);
  await sleep(500); // a duplicate would arrive by now
  const final = snapshot({ phase: 'done', done: true });
  final.clients.forEach((c, i) => (c.missing = missingOf(st[i]).length));
  write(final);
  for (const s of st) s.c.socket.close();
}

// ---------------------------------------------------------------------------------------------
async function probe(args) {
  const want = args.want ? args.want.split(',') : [];
  const only = args.only ? args.only.split(',') : null;
  const count = Number(args.count || 0);
  const roomId = args.room;
  const first = Number(args['first-subnet'] || 100);
  const tries = Number(args.tries || 60);
  const tag = `probe${process.pid}`;
  const seen = {};
  const keep = new Map(); // wanted instance -> client
  const opened = [];
  const result = { seen, want, only, missing: [], unexpected: [], sent: [], echoed: [], errors: [] };
  try {
    for (let n = first, k = 0; k < tries; n++, k++) {
      const done = want.every((w) => keep.has(w)) && k >= count;
      if (done) break;
      const c = await connect(`${tag}-${n}`, subnetIp(n));
      opened.push(c);
      const inst = instanceOf(c);
      seen[inst] = (seen[inst] || 0) + 1;
      if (want.includes(inst) && !keep.has(inst)) keep.set(inst, c);
    }
    result.missing = want.filter((w) => !keep.has(w));
    if (only) result.unexpected = Object.keys(seen).filter((i) => !only.includes(i));
    if (roomId) {
      for (const [inst, c] of keep) {
        const got = [];
        c.socket.on('message', ({ message }) => got.push(message.id));
        const join = await call(c.socket, 'room:join', { roomId });
        if (!join.ok) { result.errors.push({ inst, join: join.error }); continue; }
        const sent = await call(c.socket, 'message:send', { roomId, text: `probe via ${inst}`, clientMsgId: randomUUID() });
        if (!sent.ok) { result.errors.push({ inst, send: sent.error }); continue; }
        result.sent.push({ instance: inst, id: sent.message.id });
        const deadline = Date.now() + 10_000;
        while (!got.includes(sent.message.id) && Date.now() < deadline) await sleep(20);
        if (got.includes(sent.message.id)) result.echoed.push(inst);
      }
    }
  } finally {
    for (const c of opened) c.socket.close();
  }
  const ok =
    result.missing.length === 0 &&
    result.unexpected.length === 0 &&
    result.errors.length === 0 &&
    (!roomId || result.echoed.length === keep.size);
  console.log(JSON.stringify({ ok, ...result }));
  return ok;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const mode = args._[0];
  // Never run forever, whatever happens.
  const hardStop = setTimeout(() => {
    console.error('clients.js: hard time limit reached');
    process.exit(3);
  }, (Number(args['max-seconds'] || 600) + 60) * 1000);
  hardStop.unref();
  if (mode === 'chat') {
    await chat(args);
    process.exit(0);
  } else if (mode === 'probe') {
    process.exit((await probe(args)) ? 0 : 1);
  } else {
    console.error('usage: clients.js chat --state FILE --stop FILE [...] | probe [--want a,b] [--only a,b] [--count N] [--room ID]');
    process.exit(2);
  }
}

main().catch((e) => {
  console.error(`clients.js: ${e.stack || e.message}`);
  process.exit(1);
});
