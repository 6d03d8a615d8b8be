import { execFileSync } from 'node:child_process';
import { ChatClient, clientsOnEveryReplica, until, roomWith, topologyPid } from '@app/testing';

type Typing = { roomId: string; user: { id: string }; typing: boolean };
const typingOf = (c: ChatClient, roomId: string) =>
  c.events.filter((e) => e.event === 'typing' && (e.payload as Typing).roomId === roomId).map((e) => e.payload as Typing);

describe('typing across replicas', () => {
  const opened: ChatClient[] = [];
  afterAll(() => opened.forEach((c) => c.close()));

  it('reaches the other members on every replica but not the sender, is throttled, and expires after 5 s', async () => {
    const [[typist], [b], [c]] = await clientsOnEveryReplica(3, 1, 160);
    opened.push(typist!, b!, c!);
    const roomId = await roomWith('typing', typist!, b!, c!);

    // A client hammering `typing: true` 40 times in ~0.4 s: raw, as the SDK throttles typing itself.
    const hammering: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      hammering.push(typist!.call('typing', { roomId, typing: true }));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(hammering);
    await until(() => typingOf(b!, roomId).length > 0 && typingOf(c!, roomId).length > 0, 5000, 'typing on both replicas');
    const started = Date.now();
    expect(typingOf(typist!, roomId)).toHaveLength(0);
    for (const r of [b!, c!]) {
      expect(typingOf(r, roomId).filter((t) => t.typing)).toHaveLength(1);
      expect(typingOf(r, roomId)[0]!.user.id).toBe(typist!.user.id);
    }
    // Nobody refreshes: each receiver sees it end by itself after about 5 s.
    await until(() => typingOf(b!, roomId).some((t) => !t.typing) && typingOf(c!, roomId).some((t) => !t.typing), 8000, 'expiry');
    expect(Date.now() - started).toBeGreaterThan(3500);
    expect(await typist!.call('typing', { roomId: 'not-joined', typing: true })).toMatchObject({ ok: false });
  });
});

describe('presence when a gateway is killed with SIGKILL', () => {
  const opened: ChatClient[] = [];
  afterAll(() => {
    opened.forEach((c) => c.close());
    // Bring the killed replica back for whatever runs next.
    execFileSync('bash', ['scripts/topology.sh', 'up'], { stdio: 'ignore' });
  });

  it("drops the killed replica's users from presence within 15 s, tells the others, and keeps everyone else", async () => {
    const [[a], [b], [c]] = await clientsOnEveryReplica(3, 1, 170);
    opened.push(a!, b!, c!);
    const roomId = await roomWith('crash', a!, b!, c!);
    const victim = c!;
    const pid = topologyPid(victim.instance);

    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    victim.close();

    await until(
      () => a!.events.some((e) => e.event === 'presence' && (e.payload as { event: string; user: { id: string } }).user.id === victim.user.id && (e.payload as { event: string }).event === 'leave'),
      16_000,
      'the leave notice for the killed replica\'s user',
    );
    const elapsed = Date.now() - killedAt;
    expect(elapsed).toBeLessThanOrEqual(15_000);
    // The server's own answer, raw: b's SDK has joined the room already and would not ask again.
    const { members } = await b!.ok('room:join', { roomId });
    expect(members.map((m) => m.id).sort()).toEqual([a!.user.id, b!.user.id].sort());
  });
});
