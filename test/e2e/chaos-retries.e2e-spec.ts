import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { checkExactlyOnce, clientsOnEveryReplica, historyWhenComplete, RetryingMember, roomWith, supervise, TOPOLOGY_GATEWAYS, topologyPid, until, type ChatClient, type ExactlyOnceReport } from '@app/testing';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KAFKA_PORT = Number(process.env.KAFKA_PORT ?? 9092);

/** Resolves once something accepts TCP connections on the port (bounded). */
async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      const settle = (accepted: boolean) => {
        socket.destroy();
        resolve(accepted);
      };
      socket.once('connect', () => settle(true));
      socket.once('error', () => settle(false));
      socket.setTimeout(500, () => settle(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
}

/** Six members of one room, two on each replica, each resending as PROTOCOL.md asks. */
async function roomOfRetryingMembers(name: string, firstSubnet: number): Promise<{ members: RetryingMember[]; clients: ChatClient[]; roomId: string }> {
  const clients = (await clientsOnEveryReplica(3, 2, firstSubnet)).flat();
  const roomId = await roomWith(name, clients[0]!);
  const members = await Promise.all(clients.map((c) => RetryingMember.join(c, roomId)));
  return { members, clients, roomId };
}

/** Waits until history and every member hold every acknowledged message (bounded), then checks guarantee 3. */
async function settle(members: RetryingMember[], roomId: string): Promise<ExactlyOnceReport> {
  const acked = members.flatMap((m) => m.sends).filter((s) => s.attempts.some((a) => a.answer === 'ok')).length;
  const stored = await historyWhenComplete(members[0]!.client.token, roomId, acked, 40_000);
  await until(() => members.every((m) => new Set(m.seen.map((s) => s.clientMsgId)).size >= acked), 15_000, 'every member to see every message').catch(() => undefined);
  return checkExactlyOnce(members, stored);
}

/** The figures a closing note quotes, on one line per fault. */
const logFigures = (fault: string, report: ExactlyOnceReport, extra: Record<string, number> = {}) =>
  console.log(`${fault}: ${JSON.stringify({ ...report, violations: report.violations.slice(0, 10), ...extra })}`);

describe('chaos: every message exactly once through a fault, with clients resending as the protocol asks', () => {
  const opened: ChatClient[] = [];
  afterAll(async () => {
    opened.forEach((c) => c.close());
    await supervise('start', 'kafka').catch(() => undefined);
    await run('bash', ['scripts/topology.sh', 'up']);
  });

  /**
   * Six retrying members send through a Kafka fault: the broker stopped for `outageMs`, then
   * started. Checks guarantee 3, and that every replica answers sends again soon after the broker
   * is back, not just one of them (kafkajs can stop a consumer for good during an outage;
   * restartAfterCrashes runs it again).
   */
  async function throughKafkaFault(fault: string, firstSubnet: number, outageMs: number) {
    const { members, clients } = await roomOfRetryingMembers(fault, firstSubnet);
    opened.push(...clients);
    const deadline = Date.now() + 60_000;
    const traffic = Promise.all(members.map((m) => m.sendMany(80, 150, deadline)));
    await sleep(3_000);
    await supervise('stop', 'kafka');
    await sleep(outageMs);
    await supervise('start', 'kafka');
    await listening(KAFKA_PORT, 30_000);
    const upAt = Date.now();
    await traffic;

    const ackedAgainAfterMs: Record<string, number> = {};
    for (const m of members) {
      const firstOk = Math.min(...m.sends.flatMap((s) => s.attempts).filter((a) => a.answer === 'ok' && a.at > upAt).map((a) => a.at));
      ackedAgainAfterMs[m.client.instance] = Math.min(ackedAgainAfterMs[m.client.instance] ?? Infinity, firstOk - upAt);
    }
    const report = await settle(members, members[0]!.roomId);
    logFigures(fault, report, ackedAgainAfterMs);
    expect(report.violations).toEqual([]);
    expect(Object.keys(ackedAgainAfterMs).sort()).toEqual(TOPOLOGY_GATEWAYS.map((g) => g.instance));
    for (const [instance, ms] of Object.entries(ackedAgainAfterMs)) expect({ instance, ackedAgainWithin15s: ms < 15_000 }).toEqual({ instance, ackedAgainWithin15s: true });
    // And each says so on /health: its live stream is reading the log again.
    for (const { port } of TOPOLOGY_GATEWAYS) {
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5_000) })).json()) as { details: Record<string, { status: string }> };
      expect({ port, liveStream: health.details['live-stream']?.status }).toEqual({ port, liveStream: 'up' });
    }
    return report;
  }

  it('through Kafka stopped for 10 s: one record and one delivery per message, every ack agreeing, each answer within 10 s, every replica answering again', async () => {
    const report = await throughKafkaFault('kafka stopped 10 s', 75, 10_000);
    expect(report.answers.unavailable ?? 0).toBeGreaterThan(0); // the fault was felt
  }, 150_000);

  it('through Kafka restarted at once: the same, and every replica answering again', async () => {
    await throughKafkaFault('kafka restarted', 135, 0);
  }, 150_000);

  it('through a gateway killed while its clients resend: one record and one delivery per message, every ack agreeing', async () => {
    const { members, clients } = await roomOfRetryingMembers('gateway kill with retries', 95);
    opened.push(...clients);
    const deadline = Date.now() + 40_000;
    const victim = members[0]!.client.instance;
    // The victim's clients send back to back, so the kill finds sends under way (ambiguous: the
    // record may be in Kafka); the others slowly, so a reconnect's gap fits in one join page.
    const traffic = Promise.all(members.map((m) => (m.client.instance === victim ? m.sendMany(400, 0, deadline) : m.sendMany(60, 150, deadline))));
    await sleep(3_000);
    process.kill(topologyPid(victim), 'SIGKILL');
    await traffic;

    const report = await settle(members, members[0]!.roomId);
    const cut = members.flatMap((m) => m.sends).filter((send) => send.attempts.some((a) => a.answer === 'cut')).length;
    logFigures(`${victim} killed`, report, { reconnected: members.filter((m) => m.reconnections > 0).length, sendsCutByTheKill: cut });
    expect(report.violations).toEqual([]);
    expect(members.filter((m) => m.reconnections > 0).length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('through Redis restarted empty: resends still answer the original message, nothing is delivered twice', async () => {
    const { members, clients } = await roomOfRetryingMembers('redis restart with retries', 115);
    opened.push(...clients);
    const deadline = Date.now() + 40_000;
    const traffic = Promise.all(members.map((m) => m.sendMany(60, 150, deadline)));
    await sleep(3_000);
    process.kill(topologyPid('redis'), 'SIGKILL'); // supervisord starts it again, empty
    // Every member resends its latest message now (raw, beside the SDK's own sends), as a client
    // whose acks were lost would: the same clientMsgId and text.
    const resent = await Promise.all(
      members.map(async (m) => {
        const last = m.sends.at(-1)!;
        const answer = await m.client.call('message:send', { roomId: m.roomId, text: last.text, clientMsgId: last.clientMsgId }, 12_000);
        return { clientMsgId: last.clientMsgId, answer };
      }),
    );
    await traffic;

    const report = await settle(members, members[0]!.roomId);
    logFigures('redis restarted', report);
    expect(report.violations).toEqual([]);
    // Each resend answered the original message (the report above also checks every ack agrees), or
    // `unavailable` (retry later) while Redis was down; never a second message or another error.
    for (const { clientMsgId, answer } of resent) {
      const acked = members.flatMap((m) => m.sends).find((s) => s.clientMsgId === clientMsgId)!.attempts.find((a) => a.message)?.message;
      if (answer.ok) expect(answer).toMatchObject({ message: { id: acked?.id, seq: acked?.seq } });
      else expect(answer.error.code).toBe('unavailable');
    }
    expect(resent.filter(({ answer }) => answer.ok).length).toBeGreaterThan(0);
  }, 120_000);
});
