import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { TokenService } from '@app/auth';
import { ChatClient as SdkClient } from '@app/client';
import { loadConfig } from '@app/config';
import { BASE_URL, ChatClient, clientsOnEveryReplica, login, sourceAddress, until, roomWith } from '@app/testing';

const presenceEvents = (c: ChatClient, roomId: string) =>
  c.events.filter((e) => e.event === 'presence' && (e.payload as { roomId: string }).roomId === roomId).map((e) => e.payload as {
    event: string;
    user: { id: string; username: string };
    members: { id: string; username: string }[];
  });

describe('people and rooms across replicas', () => {
  const opened: ChatClient[] = [];
  afterAll(() => opened.forEach((c) => c.close()));

  it('refuses an expired token at the handshake', async () => {
    const { user } = await login(`expiring-${randomUUID().slice(0, 6)}`);
    // The topology's own secret (scripts/test.sh exports it), with a 1 s lifetime.
    const shortLived = new TokenService(loadConfig({ ...process.env, JWT_TTL_SECONDS: '1' }));
    const token = shortLived.sign(user);
    await new Promise((r) => setTimeout(r, 2100));
    await expect(ChatClient.connect({ token, user })).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('maps a username to the same user id on every login', async () => {
    const name = `same-${randomUUID().slice(0, 6)}`;
    const first = await login(name);
    const second = await login(name.toUpperCase());
    expect(second.user.id).toBe(first.user.id);
  });

  it('takes the sender from the token, never from the payload', async () => {
    const [[mallory], [victim]] = await clientsOnEveryReplica(2, 1, 110);
    opened.push(mallory!, victim!);
    const roomId = await roomWith('impersonation', mallory!, victim!);
    // Raw: a payload the SDK would never send.
    const forged = await mallory!.call('message:send', { roomId, text: 'I am the victim', clientMsgId: randomUUID(), user: victim!.user });
    expect(forged).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const real = await mallory!.send(roomId, 'honest');
    expect(real.user).toEqual(mallory!.user);
    await until(() => victim!.roomMessages(roomId).length === 1, 5000, 'delivery');
    expect(victim!.roomMessages(roomId)[0]!.user).toEqual(mallory!.user);
  });

  it('announces a rename to members on other replicas, counts two tabs once, and later messages carry the new name', async () => {
    const [[tab1], [watcher], [other]] = await clientsOnEveryReplica(3, 1, 120);
    opened.push(tab1!, watcher!, other!);
    const tab2 = await ChatClient.connect({ token: tab1!.token, user: tab1!.user, sourceIp: sourceAddress(121) });
    opened.push(tab2);
    const roomId = await roomWith('renames', watcher!, tab1!);
    const joined = await tab2.sdk.join(roomId);
    expect(joined.members.filter((m) => m.id === tab1!.user.id)).toHaveLength(1);
    expect(joined.members).toHaveLength(2);

    const newName = `renamed-${randomUUID().slice(0, 6)}`;
    const user = await tab1!.sdk.rename(newName);
    expect(user).toEqual({ id: tab1!.user.id, username: newName });
    await until(() => presenceEvents(watcher!, roomId).some((p) => p.event === 'rename'), 10_000, 'the rename notice');
    const notice = presenceEvents(watcher!, roomId).find((p) => p.event === 'rename')!;
    expect(notice.user).toEqual(user);
    expect(notice.members).toContainEqual(user);
    expect(presenceEvents(watcher!, roomId).filter((p) => p.event === 'rename')).toHaveLength(1);

    // The other tab (maybe on another replica) now speaks with the new name too.
    const fromTab2 = await tab2.send(roomId, 'after rename');
    expect(fromTab2.user.username).toBe(newName);
    // A taken name is refused.
    await expect(other!.sdk.rename(newName)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(other!.sdk.rename(' spaced ')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('answers room_full to the next distinct user once a room has 100', async () => {
    const owner = await ChatClient.connect({ sourceIp: sourceAddress(130) });
    opened.push(owner);
    const roomId = await roomWith('capacity', owner);
    const members: ChatClient[] = [];
    for (let i = 0; i < 99; i++) {
      const c = await ChatClient.connect({ sourceIp: sourceAddress(131 + (i % 3)) });
      members.push(c);
      await c.sdk.join(roomId);
    }
    opened.push(...members);
    const late = await ChatClient.connect({ sourceIp: sourceAddress(135) });
    opened.push(late);
    await expect(late.sdk.join(roomId)).rejects.toMatchObject({ code: 'room_full' });
    // Another tab of a member is not a new member.
    const secondTab = await ChatClient.connect({ token: owner.token, user: owner.user, sourceIp: sourceAddress(136) });
    opened.push(secondTab);
    await secondTab.sdk.join(roomId);
    // Someone leaves: the place is free again.
    await members[0]!.sdk.leave(roomId);
    expect((await late.sdk.join(roomId)).room.id).toBe(roomId);
  });

  it('removes an empty room with no messages after the TTL and keeps a room with history', async () => {
    const c = await ChatClient.connect({ sourceIp: sourceAddress(140) });
    opened.push(c);
    const empty = await c.sdk.createRoom('will vanish');
    const kept = await c.sdk.createRoom('has history');
    await c.sdk.join(kept.id);
    await c.send(kept.id, 'keep me');
    await c.sdk.leave(kept.id);
    const status = async (id: string) =>
      (await fetch(`${BASE_URL}/api/rooms/${id}`, { headers: { authorization: `Bearer ${c.token}` } })).status;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await status(empty.id)) !== 404) await new Promise((r) => setTimeout(r, 500));
    expect(await status(empty.id)).toBe(404);
    expect(await status(kept.id)).toBe(200);
  });

  describe('with the single-room policy enabled', () => {
    let gateway: ChildProcess;
    const port = 3199;

    beforeAll(async () => {
      gateway = spawn(process.execPath, ['dist/apps/gateway/src/main.js'], {
        env: { ...process.env, GATEWAY_PORT: String(port), INSTANCE_ID: 'gateway-single-room', SINGLE_ROOM_POLICY: 'true', LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      });
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the single-room gateway did not start');
    });
    afterAll(() => {
      gateway.kill('SIGTERM');
    });

    it('leaves the previous room when joining another', async () => {
      const { token, user } = await login(`single-${randomUUID().slice(0, 6)}`);
      // Straight to this gateway, not through Nginx: only its socket is used.
      const direct = await SdkClient.connect({ url: `http://127.0.0.1:${port}`, token });
      try {
        const a = await direct.createRoom('first');
        const b = await direct.createRoom('second');
        await direct.join(a.id);
        await direct.join(b.id);
        // The SDK still counts itself in the first room; the server does not, and says so.
        await expect(direct.send(a.id, 'still here?')).rejects.toMatchObject({ code: 'forbidden' });
        const watcher = await ChatClient.connect({ sourceIp: sourceAddress(150) });
        opened.push(watcher);
        const rejoin = await watcher.sdk.join(a.id);
        expect(rejoin.members.map((m) => m.id)).not.toContain(user.id);
      } finally {
        direct.close();
      }
    });
  });
});
