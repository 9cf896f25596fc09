import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TidemarkConfig } from '../../common/config.js';
import { startConsole, type RunningConsole } from '../../console/server/start-console.js';
import { WEB_DIST } from '../../console/server/app.js';
import { CHROMIUM } from '../../scripts/setup/console-stages.js';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { testConfig } from './integration.js';

/** Where the tests write the screenshots docs/console.md shows. */
export const SCREENSHOTS = join(PROJECT_ROOT, 'docs', 'screenshots');

/**
 * Debian's Chromium, headless, driven by playwright-core (setup installs it; nothing is
 * downloaded). The flags keep it off the network: on this closed machine its background
 * requests would fail by the dozen. Playwright gives each launch a fresh profile folder.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run \`npm run setup\` (it installs Debian's chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page the size the screenshots are taken at, failing the test on any error the page throws. */
export async function newPage(browser: Browser, errors: string[] = []): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (err) => errors.push(err.message));
  return page;
}

/** Writes docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** The console as the tests run it: the code under test, in process, on a free loopback port. */
export async function startTestConsole(config: TidemarkConfig = testConfig): Promise<RunningConsole> {
  if (!existsSync(join(WEB_DIST, 'index.html')))
    throw new Error(`the console's front end is not built in ${WEB_DIST}: run \`npm run setup\``);
  return startConsole({ ...config, console: { address: '127.0.0.1:0', url: 'http://127.0.0.1' } });
}
