import { readFileSync } from 'node:fs';
import type { ErrorBody, User } from '@app/contracts';
import { BASE_URL, ChatClient, clientsOnEveryReplica, login, metricValue, sourceAddress, TOPOLOGY_GATEWAYS, topologyPid, until, roomWith } from '@app/testing';

const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'test-only-admin-password';

/** An admin user's view, as GET /admin/clients/:id answers it. */
interface AdminClientView {
  user: User;
  sessions: { instance: string; rooms: string[]; address: string; connectedAt: string }[];
}

/** The JSON of an admin answer: which fields are there depends on the route and the status. */
interface AdminBody {
  token?: string;
  error?: ErrorBody;
  servers?: { instance: string; connections: number }[];
  clients?: { user: { id: string } }[];
  client?: AdminClientView;
  room?: { members: { id: string }[] };
  rooms?: { id: string }[];
  sessions?: number;
  ban?: { userId: string; until: string };
}

async function admin(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: AdminBody | undefined }> {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as AdminBody) : undefined };
}

/** The admin's view of a user once it shows `sessions` sessions that are all in `room` (if given). */
async function adminClient(token: string, userId: string, sessions: number, room?: string): Promise<AdminClientView> {
  const deadline = Date.now() + 10_000;
  let last: Awaited<ReturnType<typeof admin>> | undefined;
  while (Date.now() < deadline) {
    last = await admin('GET', `/admin/clients/${userId}`, token);
    const list = last.status === 200 ? last.body!.client!.sessions : [];
    if (list.length === sessions && (!room || list.every((s) => s.rooms.includes(room)))) return last.body!.client!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`admin never showed ${sessions} session(s) of ${userId}: ${JSON.stringify(last?.body)}`);
}

describe('the admin API', () => {
  const opened: ChatClient[] = [];
  let token: string;
  afterAll(() => opened.forEach((c) => c.close()));

  beforeAll(async () => {
    const answer = await admin('POST', '/admin/login', undefined, { username: 'admin', password: ADMIN_PASSWORD });
    expect(answer.status).toBe(200);
    token = answer.body!.token!;
  });

  it('refuses wrong credentials, and every route without a token or without the admin role', async () => {
    expect((await admin('POST', '/admin/login', undefined, { username: 'admin', password: 'wrong' })).status).toBe(401);
    const user = await login('not-an-admin');
    for (const [method, path] of [
      ['GET', '/admin/servers'],
      ['GET', '/admin/clients'],
      ['GET', '/admin/clients/x'],
      ['GET', '/admin/rooms'],
      ['GET', '/admin/rooms/x'],
      ['DELETE', '/admin/rooms/x'],
      ['DELETE', '/admin/clients/x'],
      ['POST', '/admin/clients/x/ban'],
      ['DELETE', '/admin/clients/x/ban'],
    ] as const) {
      expect((await admin(method, path)).status).toBe(401);
      const asUser = await admin(method, path, user.token);
      expect(asUser.status).toBe(403);
      expect(asUser.body?.error?.code).toBe('forbidden');
    }
  });

  it('answers a malformed admin login with 400 bad_request, never 500', async () => {
    for (const body of [{}, { username: 'admin' }, { username: 'admin', password: 42 }, { username: 'admin', password: ADMIN_PASSWORD, role: 'admin' }, []]) {
      const answer = await admin('POST', '/admin/login', undefined, body);
      expect(answer.status).toBe(400);
      expect(answer.body?.error?.code).toBe('bad_request');
    }
  });

  it('lists the servers, the clients with their sessions, and the rooms with their members', async () => {
    const [[a], [b]] = await clientsOnEveryReplica(2, 1, 180);
    opened.push(a!, b!);
    const roomId = await roomWith('admin view', a!, b!);

    const servers = (await admin('GET', '/admin/servers', token)).body!.servers!;
    expect(servers.map((s) => s.instance)).toEqual(expect.arrayContaining(['gateway-1', 'gateway-2', 'gateway-3']));

    const client = await adminClient(token, a!.user.id, 1, roomId);
    await adminClient(token, b!.user.id, 1, roomId);
    expect(client.user).toEqual(a!.user);
    expect(client.sessions[0].instance).toBe(a!.instance);
    // The client's own address (Nginx forwards it), not Nginx's, and when it connected.
    const candidates = Array.from({ length: 60 }, (_, i) => sourceAddress(180 + i));
    expect(candidates).toContain(client.sessions[0].address);
    expect(Date.now() - Date.parse(client.sessions[0].connectedAt)).toBeGreaterThanOrEqual(0);
    expect(Date.now() - Date.parse(client.sessions[0].connectedAt)).toBeLessThan(120_000);
    const all = (await admin('GET', '/admin/clients', token)).body!.clients!;
    expect(all.map((c) => c.user.id)).toEqual(expect.arrayContaining([a!.user.id, b!.user.id]));

    const detail = (await admin('GET', `/admin/rooms/${roomId}`, token)).body!.room!;
    expect(detail.members.map((m: { id: string }) => m.id).sort()).toEqual([a!.user.id, b!.user.id].sort());
    const rooms = (await admin('GET', '/admin/rooms', token)).body!.rooms!;
    expect(rooms.map((r) => r.id)).toContain(roomId);
    expect((await admin('GET', '/admin/rooms/no-such-room', token)).status).toBe(404);
  });

  it('deletes a room: members on other replicas get room:deleted and can no longer send there', async () => {
    const [[a], [b], [c]] = await clientsOnEveryReplica(3, 1, 190);
    opened.push(a!, b!, c!);
    const roomId = await roomWith('doomed', a!, b!, c!);
    expect((await admin('DELETE', `/admin/rooms/${roomId}`, token)).status).toBe(200);
    for (const client of [a!, b!, c!]) {
      await until(() => client.events.some((e) => e.event === 'room:deleted'), 5000, `room:deleted on ${client.instance}`);
      expect(client.sdk.joinedRooms()).not.toContain(roomId);
    }
    // Raw: the server itself must refuse (the SDK, told of the deletion, would not even ask it).
    expect(await b!.call('message:send', { roomId, text: 'hello?', clientMsgId: 'x1' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await admin('GET', `/admin/rooms/${roomId}`, token)).status).toBe(404);
  });

  it('kicks a user: all their sockets on all replicas are disconnected, others stay', async () => {
    const first = await ChatClient.connect({ sourceIp: sourceAddress(200) });
    let second: ChatClient | undefined;
    for (let n = 201; n < 230 && !second; n++) {
      const c = await ChatClient.connect({ token: first.token, user: first.user, sourceIp: sourceAddress(n) });
      if (c.instance !== first.instance) second = c;
      else c.close();
    }
    const bystander = await ChatClient.connect({ sourceIp: sourceAddress(231) });
    opened.push(first, second!, bystander);
    await adminClient(token, first.user.id, 2);
    const kicked = await admin('DELETE', `/admin/clients/${first.user.id}`, token);
    expect(kicked.status).toBe(200);
    expect(kicked.body?.sessions).toBe(2);
    await until(() => first.sdk.state === 'closed' && second!.sdk.state === 'closed', 5000, 'both tabs disconnected');
    expect(bystander.sdk.state).toBe('live');
    expect(bystander.connected).toBe(true);
  });

  it('bans a user for a while: disconnected everywhere, refused at login and at the handshake, until the ban is lifted', async () => {
    const victim = await ChatClient.connect({ sourceIp: sourceAddress(232) });
    opened.push(victim);
    await adminClient(token, victim.user.id, 1);
    for (const body of [{ seconds: 0 }, { seconds: 1.5 }, { seconds: '60' }, {}]) {
      expect((await admin('POST', `/admin/clients/${victim.user.id}/ban`, token, body)).status).toBe(400);
    }
    const banned = await admin('POST', `/admin/clients/${victim.user.id}/ban`, token, { seconds: 600 });
    expect(banned.status).toBe(200);
    expect(banned.body?.ban?.userId).toBe(victim.user.id);
    await until(() => victim.sdk.state === 'closed', 5000, 'the banned user disconnected');

    const relogin = await fetch(`${BASE_URL}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: victim.user.username }),
    });
    expect(relogin.status).toBe(403);
    expect(((await relogin.json()) as { error: ErrorBody }).error.code).toBe('forbidden');
    // The token it already holds does not get it back in either.
    await expect(ChatClient.connect({ token: victim.token, user: victim.user, sourceIp: sourceAddress(233) })).rejects.toMatchObject({ code: 'forbidden' });

    expect((await admin('DELETE', `/admin/clients/${victim.user.id}/ban`, token)).status).toBe(200);
    expect((await login(victim.user.username)).user.id).toBe(victim.user.id);
    expect((await admin('DELETE', `/admin/clients/${victim.user.id}/ban`, token)).status).toBe(404);
  });
});

describe('metrics', () => {
  it('count messages received, produced, delivered and persisted as a client sends', async () => {
    const client = await ChatClient.connect({ sourceIp: sourceAddress(240) });
    try {
      const port = 3100 + Number(client.instance.split('-')[1]);
      const before = {
        received: await metricValue(port, 'chat_messages_received_total'),
        produced: await metricValue(port, 'chat_messages_produced_total'),
        delivered: await metricValue(port, 'chat_messages_delivered_total'),
        persisted: await metricValue(3300, 'chat_messages_persisted_total'),
      };
      const roomId = await roomWith('metrics', client);
      for (let i = 0; i < 5; i++) await client.send(roomId, `m${i}`);
      await until(() => client.roomMessages(roomId).length === 5, 5000, 'delivery');
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (await metricValue(3300, 'chat_messages_persisted_total')) < before.persisted + 5) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(await metricValue(port, 'chat_messages_received_total')).toBeGreaterThanOrEqual(before.received + 5);
      expect(await metricValue(port, 'chat_messages_produced_total')).toBeGreaterThanOrEqual(before.produced + 5);
      expect(await metricValue(port, 'chat_messages_delivered_total')).toBeGreaterThanOrEqual(before.delivered + 5);
      expect(await metricValue(3300, 'chat_messages_persisted_total')).toBeGreaterThanOrEqual(before.persisted + 5);
      expect(await metricValue(port, 'chat_connections')).toBeGreaterThanOrEqual(1);
      // The live stream's gauges, set when scraped: every gateway remembers the sends it read.
      expect(await metricValue(port, 'chat_retry_window_sends')).toBeGreaterThanOrEqual(5);
      expect(await metricValue(port, 'chat_room_tail_messages')).toBeGreaterThanOrEqual(5);
      expect((await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).match(/^chat_consumer_lag\{consumer="live"/gm)?.length).toBeGreaterThan(0);
      expect(await metricValue(port, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(await metricValue(3200, 'chat_http_requests_total')).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });
});

describe('processes', () => {
  it('runs every gateway with the Node options of apps/gateway/gateway.env (its larger young generation)', () => {
    const options = /^NODE_OPTIONS=(.+)$/m.exec(readFileSync('apps/gateway/gateway.env', 'utf8'))?.[1];
    expect(options).toContain('--max-semi-space-size=');
    for (const { instance } of TOPOLOGY_GATEWAYS) {
      const environment = readFileSync(`/proc/${topologyPid(instance)}/environ`, 'utf8').split('\0');
      expect({ instance, options: environment.find((v) => v.startsWith('NODE_OPTIONS=')) }).toEqual({ instance, options: expect.stringContaining(`NODE_OPTIONS=${options}`) });
    }
  });
});
