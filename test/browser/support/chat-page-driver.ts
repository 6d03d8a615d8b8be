import type { BrowserContext, Page } from 'playwright-core';

/** What the page shows of one message (its list item's data-seq and text). */
export interface ShownMessage {
  seq: number;
  author: string;
  text: string;
}

export const SCREENSHOT_DIR = '.data/screenshots';
/** Every wait of a step is bounded by this unless it says otherwise. */
const STEP_MS = 15_000;

/**
 * One signed-in user's page, driven the way a person uses it (forms, buttons, scrolling), read
 * through the data-test attributes of web/src/views.
 */
export class ChatPageDriver {
  private constructor(
    readonly page: Page,
    readonly username: string,
  ) {}

  static async signIn(context: BrowserContext, url: string, username: string): Promise<ChatPageDriver> {
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    await page.goto(url, { timeout: STEP_MS });
    await page.fill('#login-name', username);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('[data-test=connection-state][data-state=live]');
    return new ChatPageDriver(page, username);
  }

  /** The replica the page says it is on (`client.instance`); '' while reconnecting. */
  async instance(): Promise<string> {
    return (await this.page.getAttribute('[data-test=instance]', 'data-instance')) ?? '';
  }

  async state(): Promise<string> {
    return (await this.page.getAttribute('[data-test=connection-state]', 'data-state')) ?? '';
  }

  waitForState(state: string, timeoutMs = STEP_MS): Promise<unknown> {
    return this.page.waitForSelector(`[data-test=connection-state][data-state="${state}"]`, { timeout: timeoutMs });
  }

  /** From now on, every state the page shows is recorded (read with recordedStates). */
  async recordStates(): Promise<void> {
    await this.page.evaluate(() => {
      const state = document.querySelector<HTMLElement>('[data-test=connection-state]')!;
      const seen: string[] = [];
      (window as unknown as { seenStates: string[] }).seenStates = seen;
      new MutationObserver(() => seen.push(state.dataset.state ?? '')).observe(state, { attributes: true, attributeFilter: ['data-state'] });
    });
  }

  recordedStates(): Promise<string[]> {
    return this.page.evaluate(() => [...(window as unknown as { seenStates: string[] }).seenStates]);
  }

  async createRoom(name: string): Promise<string> {
    await this.page.fill('[data-test=room-name]', name);
    await this.page.press('[data-test=room-name]', 'Enter');
    return this.waitForOpenRoom(name);
  }

  /** Joins a room from the list (which refreshes every 5 s, so a new room may take that long to appear). */
  async joinRoom(name: string): Promise<string> {
    await this.page.click(`li[data-room-name="${name}"] [data-test=join]`, { timeout: 20_000 });
    return this.waitForOpenRoom(name);
  }

  async openRoom(name: string): Promise<string> {
    await this.page.click(`li[data-room-name="${name}"] .room-name`);
    return this.waitForOpenRoom(name);
  }

  async send(text: string): Promise<void> {
    await this.page.fill('[data-test=composer]', text);
    await this.page.press('[data-test=composer]', 'Enter');
  }

  async typeWithoutSending(text: string): Promise<void> {
    await this.page.locator('[data-test=composer]').pressSequentially(text);
  }

  messages(): Promise<ShownMessage[]> {
    return this.page.$$eval('[data-test=messages] li', (items) =>
      items.map((li) => ({
        seq: Number((li as HTMLElement).dataset.seq),
        author: li.querySelector('.author')?.textContent ?? '',
        text: li.querySelector('.text')?.textContent ?? '',
      })),
    );
  }

  async waitForMessage(text: string, timeoutMs = STEP_MS): Promise<void> {
    await this.page.waitForFunction((t) => [...document.querySelectorAll('[data-test=message-text]')].some((e) => e.textContent === t), text, { timeout: timeoutMs });
  }

  async waitForMessageCount(count: number, timeoutMs = STEP_MS): Promise<void> {
    await this.page.waitForFunction((n) => document.querySelectorAll('[data-test=messages] li').length >= n, count, { timeout: timeoutMs });
  }

  async waitForText(selector: string, text: string, timeoutMs = STEP_MS): Promise<void> {
    await this.page.waitForFunction(([s, t]) => (document.querySelector(s!)?.textContent ?? '').includes(t!), [selector, text], { timeout: timeoutMs });
  }

  async members(): Promise<string[]> {
    return this.page.$$eval('[data-test=members] li', (items) => items.map((li) => li.textContent ?? ''));
  }

  async rename(username: string): Promise<void> {
    await this.page.fill('[data-test=rename-input]', username);
    await this.page.press('[data-test=rename-input]', 'Enter');
    await this.waitForText('[data-test=me]', username);
  }

  /**
   * Scrolls to the top of the message list, as a reader does, until the page says the room's
   * beginning is reached; returns how many pages were read.
   */
  async scrollToBeginning(maxPages = 20): Promise<number> {
    for (let pages = 0; pages < maxPages; pages++) {
      const state = await this.page.getAttribute('[data-test=load-older]', 'data-state');
      if (state === 'start') return pages;
      const before = (await this.messages()).length;
      await this.page.$eval('[data-test=scroller]', (scroller) => scroller.scrollTo({ top: 0 }));
      await this.page.waitForFunction(
        (n) => {
          const older = document.querySelector<HTMLElement>('[data-test=load-older]')!;
          return older.dataset.state === 'start' || (older.dataset.state === 'more' && document.querySelectorAll('[data-test=messages] li').length > n);
        },
        before,
        { timeout: STEP_MS },
      );
    }
    throw new Error(`the room's beginning was not reached within ${maxPages} pages`);
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, timeout: STEP_MS });
  }

  private async waitForOpenRoom(name: string): Promise<string> {
    await this.page.waitForFunction((n) => document.querySelector('[data-test=room-title]')?.textContent === n && document.querySelector('li.room.active') !== null, name);
    return (await this.page.getAttribute('section.chat', 'data-room-id')) ?? '';
  }
}
