import { ChatClient as SdkClient, login as sdkLogin } from '@app/client';
import { BASE_URL, ChatClient as ProbeClient, historyWhenComplete, sourceAddress, topologyPid, uniqueName } from '@app/testing';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './support/browser';
import { ChatPageDriver, type ShownMessage } from './support/chat-page-driver';
import { SourceAddressDoor } from './support/source-address-door';

const NGINX = { host: new URL(BASE_URL).hostname, port: Number(new URL(BASE_URL).port || 80) };
const bySeq = (messages: { seq: number; text: string }[]) => messages.map(({ seq, text }) => ({ seq, text }));

/**
 * Two source addresses whose clients Nginx's ip_hash sends to different replicas (probed with a
 * socket.io-client from each /24 in turn, bounded).
 */
async function subnetsOnTwoReplicas(): Promise<[string, string]> {
  const seen = new Map<string, string>();
  for (let n = 41; n < 71; n++) {
    const probe = await ProbeClient.connect({ sourceIp: sourceAddress(n) });
    const instance = probe.instance;
    probe.close();
    if (!seen.has(instance)) seen.set(instance, sourceAddress(n));
    if (seen.size === 2) return [...seen.values()] as [string, string];
  }
  throw new Error('no two replicas reached from 30 source addresses');
}

describe('the web client in Chromium, through Nginx', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const doors: SourceAddressDoor[] = [];
  let alice: ChatPageDriver;
  let bob: ChatPageDriver;
  let bobsDoor: SourceAddressDoor;
  let roomName: string;
  let roomId: string;

  async function openAs(sourceIpAddress: string, username: string, viewport = { width: 1100, height: 720 }): Promise<ChatPageDriver> {
    const door = await SourceAddressDoor.open(sourceIpAddress, NGINX);
    doors.push(door);
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    return ChatPageDriver.signIn(context, door.url, username);
  }

  beforeAll(async () => {
    browser = await launchChromium();
    const [a, b] = await subnetsOnTwoReplicas();
    [alice, bob] = await Promise.all([openAs(a, uniqueName('alice')), openAs(b, uniqueName('bob'))]);
    bobsDoor = doors.find((door) => door.sourceIp === b)!;
    roomName = uniqueName('web room');
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await browser?.close();
    await Promise.allSettled(doors.map((d) => d.close()));
  });

  it('is served by Nginx: the page, its stylesheet and the bundle, with their content types', async () => {
    const expected: [string, RegExp][] = [
      ['/', /^text\/html/],
      ['/styles.css', /^text\/css/],
      ['/dist/main.js', /^(application|text)\/javascript/],
    ];
    for (const [path, type] of expected) {
      const response = await fetch(`${BASE_URL}${path}`);
      expect([path, response.status]).toEqual([path, 200]);
      expect(response.headers.get('content-type')).toMatch(type);
    }
  });

  it('lets two users on different replicas chat both ways, with presence, typing and rename', async () => {
    const [aliceOn, bobOn] = [await alice.instance(), await bob.instance()];
    expect(aliceOn).toMatch(/^gateway-\d+$/);
    expect(bobOn).toMatch(/^gateway-\d+$/);
    expect(aliceOn).not.toBe(bobOn);

    roomId = await alice.createRoom(roomName);
    expect(await bob.joinRoom(roomName)).toBe(roomId);
    await alice.waitForText('[data-test=members]', bob.username);

    await alice.send('hello from alice');
    await bob.waitForMessage('hello from alice');
    await bob.send('hi alice, bob here');
    await alice.waitForMessage('hi alice, bob here');

    await bob.typeWithoutSending('typing…');
    await alice.waitForText('[data-test=typing]', `${bob.username} is typing`);
    await alice.screenshot('01-alice-sees-bob-typing');

    // Markup in a message is shown as text, never run or rendered.
    const markup = '<img src=x onerror="window.__xss=1"><b>bold?</b>';
    await alice.send(markup);
    await bob.waitForMessage(markup);
    expect(await bob.page.locator('[data-test=messages] img, [data-test=messages] b').count()).toBe(0);
    expect(await bob.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    const renamed = uniqueName('robert');
    await bob.rename(renamed);
    await alice.waitForText('[data-test=members]', renamed);
    await bob.screenshot('02-bob-renamed');

    const shown = (await alice.messages()).map((m) => m.text);
    expect(shown).toEqual(['hello from alice', 'hi alice, bob here', markup]);
    expect(await bob.messages()).toEqual(await alice.messages());
  });

  it('shows a third user who joins later the same history, and the room list its counts', async () => {
    const carol = await openAs(sourceAddress(1), uniqueName('carol'));
    await carol.joinRoom(roomName);
    await carol.waitForMessageCount(3);
    expect(await carol.messages()).toEqual(await alice.messages());
    await alice.waitForText('[data-test=members]', carol.username);
    // Counts come with the list's next refresh (every 5 s).
    await carol.waitForText(`li[data-room-id="${roomId}"] [data-test=room-counts]`, '3 online · 3 msgs', 20_000);
    await carol.screenshot('03-carol-joins-later');
    await carol.page.close();
  });

  it('scrolls back through older pages without a duplicate or a gap at the seam with live messages', async () => {
    const seeder = await SdkClient.connect({ url: BASE_URL, token: (await sdkLogin(BASE_URL, uniqueName('seeder'))).token });
    try {
      const archive = await seeder.createRoom(uniqueName('archive'));
      await seeder.join(archive.id);
      for (let i = 1; i <= 120; i++) await seeder.send(archive.id, `seeded ${i}`);

      await alice.joinRoom(archive.name);
      await alice.waitForMessageCount(50);
      // A live message while the reader is scrolled back: it lands once, at the bottom.
      await alice.page.$eval('[data-test=scroller]', (s) => s.scrollTo({ top: 0 }));
      await seeder.send(archive.id, 'live during scroll-back');
      await alice.waitForMessage('live during scroll-back');
      const pages = await alice.scrollToBeginning();
      expect(pages).toBeGreaterThanOrEqual(1);
      await alice.screenshot('04-alice-scrolled-back-to-the-beginning');

      const stored = await historyWhenComplete((await sdkLogin(BASE_URL, alice.username)).token, archive.id, 121);
      const shown = await alice.messages();
      expect(stored).toHaveLength(121);
      expect(bySeq(shown)).toEqual(bySeq(stored));
      expect(new Set(shown.map((m: ShownMessage) => m.seq)).size).toBe(shown.length);
      await alice.openRoom(roomName);
    } finally {
      seeder.close();
    }
  });

  it("survives the gateway serving a page being killed: reconnecting, then caught up, every message once and in order", async () => {
    const killed = await bob.instance();
    await bob.recordStates();
    process.kill(topologyPid(killed), 'SIGKILL');
    // Bob's page stays away until alice's messages are stored, so that it has to catch up on them
    // (otherwise it may be back on another replica before they are sent, and get them live).
    // Socket.IO's first reconnect waits 0.5-1.5 s: none starts between the kill and the cut.
    bobsDoor.cut();
    await bob.waitForState('reconnecting', 10_000);
    await bob.screenshot('05-bob-reconnecting');

    // Alice, on another replica, keeps talking while bob is away.
    for (let i = 1; i <= 5; i++) await alice.send(`while bob is away ${i}`);
    await alice.waitForMessage('while bob is away 5');
    expect((await bob.messages()).map((m) => m.text)).not.toContain('while bob is away 1');
    bobsDoor.restore();

    await bob.waitForState('live', 45_000);
    await bob.waitForMessage('while bob is away 5');
    await bob.screenshot('06-bob-caught-up');
    const states = await bob.recordedStates();
    expect(states[0]).toBe('reconnecting');
    expect(states.at(-1)).toBe('live');
    expect(states).toContain('catching-up');

    await bob.send('bob is back');
    // Each page shows it when its own replica delivers it live: wait for both, not only alice's.
    await alice.waitForMessage('bob is back');
    await bob.waitForMessage('bob is back');
    const stored = await historyWhenComplete((await sdkLogin(BASE_URL, alice.username)).token, roomId, 9);
    expect(stored).toHaveLength(9);
    expect(bySeq(await bob.messages())).toEqual(bySeq(stored));
    expect(bySeq(await alice.messages())).toEqual(bySeq(stored));
    console.log(`bob's page: ${killed} killed, now on ${await bob.instance()}; states seen: ${states.join(' → ')}`);
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    await bob.page.setViewportSize({ width: 390, height: 844 });
    const overflow = await bob.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await bob.screenshot('07-phone-width');
  });
});
