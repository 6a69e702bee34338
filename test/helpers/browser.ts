/**
 * Browser tests: Tessera listening on a loopback port (with its delivery worker), and headless Chromium driven by
 * playwright-core (Debian's chromium package). Without Chromium the suites skip with a notice, except in CI, where
 * they fail (.ci/run installs it).
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { managementHeaders, startTessera, type TestTessera } from './app.js';
import { privateTargets } from './sendouts.js';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
export const chromiumPath = candidates.find((p) => existsSync(p));
const inCi = process.env.CI === 'true';
if (!chromiumPath) {
  if (inCi) throw new Error('Chromium is missing in CI: .ci/run installs the chromium package');
  process.stderr.write('\n*** Chromium not found (apt-get install -y chromium): dashboard browser tests skipped ***\n\n');
}
/** True when the browser suites cannot run here (outside CI only). */
export const noBrowser = !chromiumPath;

export interface Rig {
  t: TestTessera;
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** One Tessera (listening, worker running) and one browser for a whole test file. */
export async function startRig(env: Record<string, string> = {}): Promise<Rig> {
  const t = await startTessera({ env: { ...privateTargets, TESSERA_DELIVERY_POLL_MS: '100', ...env } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  await t.tessera.worker.start();
  const { port } = t.app.server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  return {
    t,
    url: `http://127.0.0.1:${port}`,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

export interface Tab {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

export async function openTab(rig: Rig, viewport = { width: 1280, height: 900 }): Promise<Tab> {
  const context = await rig.browser.newContext({ baseURL: rig.url, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  page.setDefaultTimeout(30_000);
  return { page, context, errors };
}

export async function signIn(tab: Tab): Promise<void> {
  await tab.page.goto('/dashboard');
  await tab.page.getByLabel('Management ID').fill(managementHeaders['x-management-id']);
  await tab.page.getByLabel('Management token').fill(managementHeaders['x-management-token']);
  await tab.page.getByRole('button', { name: 'Sign in with the management credentials' }).click();
  await tab.page.waitForURL(/\/dashboard\/p\//);
}

/** A screenshot into docs/ for the README, when DASHBOARD_SCREENSHOTS=1 (on the PGlite run only, so runs do not race). */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.DASHBOARD_SCREENSHOTS !== '1' || process.env.TEST_DRIVER !== 'pglite') return;
  await page.screenshot({ path: `docs/dashboard-${name}.png`, fullPage: false });
}
