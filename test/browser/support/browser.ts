import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { SCREENSHOT_DIR } from './chat-page-driver';

/** Debian's chromium (scripts/test.sh installs it when missing); playwright-core downloads no browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 30_000 });
}
