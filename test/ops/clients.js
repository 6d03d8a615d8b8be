#!/usr/bin/env node
// Clients for the ops test (test/ops/docker-start.test.sh), through Nginx :3001: the project's SDK
// (libs/client, as `npm run build` compiles it to dist/, which the test's `start` builds), so the
// ops test also exercises it. Plain JS: runs with the repo's node_modules and dist/ only.
//
//   node test/ops/clients.js chat --state FILE --stop FILE [--replicas 3] [--per-replica 2]
//        [--first-subnet 1] [--interval-ms 300] [--max-seconds 600]
//     Connects clients from successive /24s of 127.0.0.0/8 (Nginx ip_hash spreads them) until
//     `replicas` gateways have `per-replica` clients each; they create and join one room and keep
//     sending, each in turn, until FILE --stop exists (or max-seconds). A client that is
//     disconnected (its replica was scaled away) is reconnected by the SDK through Nginx, which
//     joins the room again with `since` and fills the gap. The state (per client: instance, sends,
//     acks, deliveries, duplicates, order errors, reconnects; at the end: missing messages) is
//     rewritten to --state every 500 ms; `done: true` marks the final one. Duplicates and order
//     errors are counted on what the SDK delivered and on the raw `message` events of the wire, so
//     a duplicate the server sends is seen even though the SDK would drop it.
//
//   node test/ops/clients.js probe [--want gateway-4,gateway-5] [--only gateway-1,gateway-2]
//        [--count N] [--room ID] [--first-subnet 100] [--tries 60]
//     Connects new clients until every --want instance was seen (and at least --count clients);
//     with --room, one client per wanted instance joins it and sends a message it must receive
//     back. Prints one JSON line; exits 0 when every wanted instance was seen (and echoed) and,
//     with --only, no other instance was.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const SDK_PATH = path.join(__dirname, '../../dist/libs/client/src');
if (!fs.existsSync(`${SDK_PATH}/index.js`)) {
  console.error(`clients.js: the SDK is not built (${SDK_PATH}): run npm run build`);
  process.exit(2);
}
const { ChatClient, login, socketIoTransport, sourceAddress } = require(SDK_PATH);

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

/**
 * One user, connected through the SDK from its own /24 (n >= 1). `c.onWire(message)`, once set,
 * hears each `message` event as the server sent it, before the SDK de-duplicates. Resolves once
 * connected (the SDK's 15 s deadline).
 */
async function connect(name, n) {
  const sourceIp = sourceAddress(n);
  const { token, user } = await login(BASE_URL, name);
  const transport = socketIoTransport(BASE_URL, token, { initialDelayMs: 200, maxDelayMs: 1000 }, { localAddress: sourceIp });
  const c = { name, sourceIp, user, transport, client: new ChatClient({ url: BASE_URL, token, transport }), instances: [], disconnects: 0, onWire: null };
  transport.on('session', (session) => c.instances.push(session.instance));
  transport.on('disconnect', () => (c.disconnects += 1));
  transport.on('message', ({ message }) => c.onWire && c.onWire(message));
  await c.client.open();
  return c;
}

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
    const c = await connect(`${tag}-${n}`, n);
    const list = byInstance.get(c.client.instance) || [];
    if (list.length < perReplica && (list.length > 0 || byInstance.size < replicas)) {
      list.push(c);
      byInstance.set(c.client.instance, list);
      clients.push(c);
    } else c.client.close();
  }
  if (byInstance.size < replicas) throw new Error(`only reached ${[...byInstance.keys()].join(', ')} with 60 addresses`);

  const roomId = (await clients[0].client.createRoom(`ops ${tag}`)).id;

  const acked = new Map(); // message id -> seq, every message the server acknowledged
  const st = clients.map((c) => ({
    c,
    seen: new Map(), // id -> seq, what the SDK delivered
    lastSeq: -1,
    wireIds: new Set(), // ids of the raw live `message` events
    wireLastSeq: -1,
    liveOrderErrors: 0,
    dups: 0,
    foreign: [],
    sent: 0,
    ackedCount: 0,
    failed: 0,
    lastError: null,
    rejoins: 0,
    rejoinErrors: 0,
    reconnecting: false,
  }));

  for (const s of st) {
    // What the SDK delivers: join answer, REST catch-up and live messages, once each and in order.
    s.c.client.on('message', (m) => {
      if (m.roomId !== roomId) return;
      if (s.seen.has(m.id)) s.dups += 1;
      else if (m.seq <= s.lastSeq) s.liveOrderErrors += 1;
      s.seen.set(m.id, m.seq);
      s.lastSeq = Math.max(s.lastSeq, m.seq);
      if (!m.user || !String(m.user.username).startsWith(tag)) s.foreign.push(m.id);
    });
    // What the server sent live: a duplicate or a step back here is the server's, not the SDK's.
    s.c.onWire = (m) => {
      if (m.roomId !== roomId) return;
      if (s.wireIds.has(m.id)) s.dups += 1;
      else if (m.seq <= s.wireLastSeq) s.liveOrderErrors += 1;
      s.wireIds.add(m.id);
      s.wireLastSeq = Math.max(s.wireLastSeq, m.seq);
    };
    // Its replica went away: the SDK reconnects through Nginx, re-joins with since and catches up.
    s.c.client.on('state', ({ state }) => {
      if (state === 'reconnecting') s.reconnecting = true;
      if (state === 'live' && s.reconnecting) {
        s.reconnecting = false;
        s.rejoins += 1;
      }
    });
    s.c.client.on('room:lost', ({ error }) => {
      s.rejoinErrors += 1;
      s.lastError = { code: error.code, message: error.message };
    });
  }
  for (const s of st) await s.c.client.join(roomId);

  const pending = new Set();
  const snapshot = (extra = {}) => ({
    pid: process.pid,
    roomId,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    acked: acked.size,
    clients: st.map((s) => ({
      name: s.c.name,
      sourceIp: s.c.sourceIp,
      instance: s.c.client.instance,
      instances: s.c.instances,
      connected: s.c.transport.connected,
      state: s.c.client.state,
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

  // Each client in turn sends one message every intervalMs (acks are awaited in the background;
  // the SDK retries a send with its clientMsgId until answered). A client that is not live (it is
  // reconnecting or catching up) skips its turn.
  let turn = 0;
  while (!fs.existsSync(stopFile) && Date.now() - started < maxSeconds * 1000) {
    const s = st[turn++ % st.length];
    if (s.c.client.state === 'live') {
      s.sent += 1;
      const p = s.c.client.send(roomId, `${s.c.name} #${s.sent}`).then(
        (message) => {
          s.ackedCount += 1;
          acked.set(message.id, message.seq);
        },
        (error) => {
          s.failed += 1;
          s.lastError = { code: error.code, message: error.message };
        },
      );
      pending.add(p);
      p.finally(() => pending.delete(p));
    }
    await sleep(Math.max(1, Math.round(intervalMs / st.length)));
  }

  // Drain: wait for the outstanding sends, then for every client to have every acked message.
  clearInterval(writer);
  await Promise.race([Promise.allSettled([...pending]), sleep(35_000)]);
  const missingOf = (s) => [...acked.keys()].filter((id) => !s.seen.has(id));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && st.some((s) => missingOf(s).length > 0)) await sleep(100);
  await sleep(500); // a duplicate would arrive by now
  const final = snapshot({ phase: 'done', done: true });
  final.clients.forEach((c, i) => (c.missing = missingOf(st[i]).length));
  write(final);
  for (const s of st) s.c.client.close();
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
      const c = await connect(`${tag}-${n}`, n);
      opened.push(c);
      const inst = c.client.instance;
      seen[inst] = (seen[inst] || 0) + 1;
      if (want.includes(inst) && !keep.has(inst)) keep.set(inst, c);
    }
    result.missing = want.filter((w) => !keep.has(w));
    if (only) result.unexpected = Object.keys(seen).filter((i) => !only.includes(i));
    if (roomId) {
      for (const [inst, c] of keep) {
        const got = [];
        c.client.on('message', (message) => got.push(message.id));
        try {
          await c.client.join(roomId);
        } catch (error) {
          result.errors.push({ inst, join: { code: error.code, message: error.message } });
          continue;
        }
        let sent;
        try {
          sent = await c.client.send(roomId, `probe via ${inst}`);
        } catch (error) {
          result.errors.push({ inst, send: { code: error.code, message: error.message } });
          continue;
        }
        result.sent.push({ instance: inst, id: sent.id });
        const deadline = Date.now() + 10_000;
        while (!got.includes(sent.id) && Date.now() < deadline) await sleep(20);
        if (got.includes(sent.id)) result.echoed.push(inst);
      }
    }
  } finally {
    for (const c of opened) c.client.close();
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
