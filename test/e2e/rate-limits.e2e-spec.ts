import { randomInt } from 'node:crypto';
import { ChatClient, requestFrom, sourceAddress, type HttpAnswer } from '@app/testing';

/**
 * Rate limits (README "Rate limits"), against whatever limits the topology runs with: each test
 * finds its limit by going over it, so it holds for the production defaults (a wait of up to a
 * minute) as for the short windows scripts/test.sh sets to keep it quick (a few seconds).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** An address of the /24 no other spec uses (every other e2e login comes from 127.0.0.1), fresh in each run. */
const freshAddress = (subnet: 251 | 252) => `127.0.${subnet}.${randomInt(2, 255)}`;

describe('rate limits', () => {
  const opened: ChatClient[] = [];
  afterAll(() => opened.forEach((c) => c.close()));

  it('answers logins over the limit from one address with 429 rate_limited and Retry-After, and lets that address in again after the window', async () => {
    const address = freshAddress(251);
    const login = (from: string) => requestFrom(from, 'POST', '/api/auth/login', { body: { username: 'rate-limit-checker' } });
    let allowed = 0;
    let refused: HttpAnswer | undefined;
    // Many at once: faster than any other spec logs in, so a limit set above their pace is still reached.
    for (let attempts = 0; !refused && attempts < 10_000; attempts += 50) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => login(address)));
      allowed += answers.filter((a) => a.status === 200).length;
      refused = answers.find((a) => a.status !== 200);
    }
    expect(allowed).toBeGreaterThan(0);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'rate_limited', message: expect.stringMatching(/retry in \d+ s/) } } });
    const retryAfter = Number(refused!.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);

    // Per address: another one is let in meanwhile.
    expect((await login(freshAddress(252))).status).toBe(200);

    await sleep(retryAfter * 1000 + 200);
    expect((await login(address)).status).toBe(200);
  }, 120_000);

  it('answers room:create over the limit with an ack rate_limited with retryAfterMs, per user, and creates again after the window', async () => {
    const [creator, other] = [await ChatClient.connect({ sourceIp: sourceAddress(250) }), await ChatClient.connect({ sourceIp: sourceAddress(250) })];
    opened.push(creator, other);
    let refusal: Record<string, unknown> | undefined;
    for (let i = 0; !refusal && i < 1_000; i++) {
      const answer = await creator.call('room:create', { name: `burst ${i}` });
      if (!answer.ok) refusal = answer;
    }
    expect(refusal).toMatchObject({ ok: false, error: { code: 'rate_limited', message: expect.any(String), retryAfterMs: expect.any(Number) } });
    const { retryAfterMs } = (refusal as { error: { retryAfterMs: number } }).error;
    expect(retryAfterMs).toBeGreaterThan(0);

    // Per user: another user (same address, same replica) still creates rooms.
    expect(await other.call('room:create', { name: 'not limited' })).toMatchObject({ ok: true });

    await sleep(retryAfterMs + 200);
    expect(await creator.call('room:create', { name: 'after the window' })).toMatchObject({ ok: true, room: { name: 'after the window' } });
  }, 120_000);
});
