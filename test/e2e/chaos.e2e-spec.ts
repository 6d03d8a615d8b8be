import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChatMessage } from '@app/contracts';
import { BASE_URL, ChatClient, clientsOnEveryReplica, historyWhenComplete, reconnectElsewhere, restartedSince, until, roomWith, topologyPid } from '@app/testing';

// Asynchronous on purpose: a synchronous child would freeze this process's sockets and timers.
const restartMissing = () => promisify(execFile)('bash', ['scripts/topology.sh', 'up']);

describe('chaos: processes killed with SIGKILL during traffic', () => {
  const opened: ChatClient[] = [];
  afterAll(async () => {
    opened.forEach((c) => c.close());
    await restartMissing();
  });

  /**
   * Two members on two replicas send 150 messages each. `service` is killed with SIGKILL once 60
   * are acknowledged and `ready` has resolved, and started again once 200 are. Then history must
   * hold every acknowledged message once, in order, as the live member saw them.
   */
  async function killedMidStream(service: string, sourceBase: number, ready: (token: string, roomId: string) => Promise<void> = () => Promise.resolve()): Promise<void> {
    const [[a], [b]] = await clientsOnEveryReplica(2, 1, sourceBase);
    opened.push(a!, b!);
    const roomId = await roomWith(`${service} chaos`, a!, b!);

    const acked: ChatMessage[] = [];
    const sending = Promise.all(
      [a!, b!].map(async (c) => {
        for (let i = 0; i < 150; i++) acked.push(await c.send(roomId, `${c.user.username} ${i}`));
      }),
    );
    await until(() => acked.length >= 60, 10_000, 'traffic');
    await ready(a!.token, roomId);
    process.kill(topologyPid(service), 'SIGKILL');
    // Sends need Kafka, neither the persister nor the store: they go on being acknowledged.
    await until(() => acked.length >= 200, 20_000, `more traffic while ${service} is down`);
    await restartMissing();
    await sending;

    const stored = await historyWhenComplete(a!.token, roomId, acked.length, 40_000);
    expect(stored.map((m) => m.id).sort()).toEqual(acked.map((m) => m.id).sort());
    expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.seq).toBeGreaterThan(stored[i - 1]!.seq);
    // What history holds is what the live members saw, in the same order.
    await until(() => b!.roomMessages(roomId).length >= acked.length, 10_000, 'live delivery');
    expect(b!.roomMessages(roomId).map((m) => m.id)).toEqual(stored.map((m) => m.id));
  }

  it('keeps every acknowledged message, once, in history when the persister is killed mid-stream', async () => {
    await killedMidStream('persister', 210);
  });

  it('keeps every acknowledged message, once, in history when the store is killed mid-stream', async () => {
    // Killed once some of the room is stored: what it committed must survive the kill, and a
    // batch it was writing when it died must be written again, not counted as stored.
    await killedMidStream('mongo', 215, async (token, roomId) => {
      expect((await historyWhenComplete(token, roomId, 40, 20_000)).length).toBeGreaterThanOrEqual(40);
    });
  });

  it("lets a killed gateway's clients reconnect through Nginx to another replica and recover with since", async () => {
    const [[sender], [victim]] = await clientsOnEveryReplica(2, 1, 220);
    opened.push(sender!, victim!);
    const roomId = await roomWith('gateway chaos', sender!, victim!);
    await sender!.send(roomId, 'before');
    await until(() => victim!.roomMessages(roomId).length === 1, 5000, 'first message');
    const lastSeen = victim!.roomMessages(roomId)[0]!.seq;
    const deadInstance = victim!.instance;

    process.kill(topologyPid(deadInstance), 'SIGKILL');
    victim!.close();
    const missed: ChatMessage[] = [];
    for (let i = 0; i < 10; i++) missed.push(await sender!.send(roomId, `during ${i}`));

    // The same address reconnects: Nginx takes the dead replica out and sends it elsewhere.
    const back = await ChatClient.connect({ token: victim!.token, user: victim!.user, sourceIp: '127.0.220.1' }).catch(() =>
      reconnectElsewhere(victim!, deadInstance, 221),
    );
    opened.push(back);
    expect(back.instance).not.toBe(deadInstance);
    const answer = await back.ok('room:join', { roomId, since: lastSeen });
    expect(answer.messages.map((m) => m.id)).toEqual(missed.map((m) => m.id));
  });

  it('answers joins while the store is frozen: from memory where the gateway holds the room, else unavailable (not silence), and joins again once it is back', async () => {
    const [[owner], [other]] = await clientsOnEveryReplica(2, 1, 230);
    opened.push(owner!, other!);
    const roomId = await roomWith('frozen store', owner!);
    await owner!.send(roomId, 'stored before the freeze');
    // Once the owner got it live, its gateway's live stream has handled it (and holds it).
    await until(() => owner!.roomMessages(roomId).length === 1, 5000, 'the message live');
    const store = topologyPid('mongo');
    process.kill(store, 'SIGSTOP');
    try {
      // The owner's gateway keeps the room's newest messages (RoomTails): no store read needed.
      const rejoin = await owner!.ok('room:join', { roomId, since: 0 });
      expect(rejoin.messages.map((m) => m.text)).toEqual(['stored before the freeze']);
      // The other replica never held the room: it must read the store, and says so in time.
      const started = Date.now();
      const answer = await other!.call('room:join', { roomId }, 12_000);
      expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable', retryAfterMs: expect.any(Number) } });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      process.kill(store, 'SIGCONT');
    }
    const again = await other!.ok('room:join', { roomId });
    expect(again.messages.map((m) => m.text)).toEqual(['stored before the freeze']);
  });

  it('has presence complete again within seconds after Redis restarts empty (it runs without persistence)', async () => {
    // Two replicas: the one an earlier test killed may still be out of Nginx's rotation.
    const [[a], [b]] = await clientsOnEveryReplica(2, 1, 240);
    const joiner = await ChatClient.connect({ sourceIp: '127.0.243.1' });
    opened.push(a!, b!, joiner);
    const roomId = await roomWith('redis restart', a!, b!);
    const before = topologyPid('redis');
    process.kill(before, 'SIGKILL');
    // supervisord restarts it (no persistence: every presence entry is gone).
    await until(() => restartedSince('redis', before), 15_000, 'redis restarted');
    const restarted = Date.now();
    let members: string[] = [];
    const deadline = restarted + 15_000;
    while (Date.now() < deadline) {
      // Not ok() (which throws): right after the restart a join may answer unavailable.
      const answer = await joiner.call('room:join', { roomId }, 5_000);
      if (answer.ok) members = (answer.members as { id: string }[]).map((m) => m.id).sort();
      if (members.length === 3) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(members).toEqual([a!.user.id, b!.user.id, joiner.user.id].sort());
    // Within one heartbeat (PRESENCE_TTL_SECONDS / 3, ~3.3 s) plus Redis and its clients coming back.
    expect(Date.now() - restarted).toBeLessThan(10_000);
  });

  it('answers 503 unavailable with Retry-After in JSON while the api is down, and serves again once it is back', async () => {
    process.kill(topologyPid('api'), 'SIGKILL');
    const down = await fetch(`${BASE_URL}/api/rooms`, { signal: AbortSignal.timeout(10_000) });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    await restartMissing();
    expect((await fetch(`${BASE_URL}/health`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
  }, 90_000);
});

