/**
 * What the console's browser tests share: a built dist (rebuilt when a source is newer), Debian's
 * Chromium through playwright-core with no network beyond loopback, and a signed-in page.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CONSOLE_DIR = new URL('../', import.meta.url).pathname;
export const CHROMIUM = process.env.MNOGATE_CHROMIUM ?? '/usr/bin/chromium';

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

/** Builds packages/console/dist unless it is newer than every source it is built from. */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIR, 'dist/index.html');
  const sources = [
    'src',
    'index.html',
    'vite.config.ts',
    '../core/src',
    '../network/src/render',
    '../network/src/address-plan.ts',
  ];
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built > Math.max(...sources.map((s) => newest(join(CONSOLE_DIR, s))))) return;
  const r = spawnSync(
    process.execPath,
    [join(CONSOLE_DIR, '../../node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: CONSOLE_DIR,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error(`the console build failed (exit ${r.status ?? r.signal})`);
}

/** Why browser tests cannot run here, or null. With CI=true a missing browser is a failure, not a skip. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

export interface ConsoleBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Chromium, headless, with everything that calls home turned off (the machine has no outside
 * network). playwright-core gives each launch a fresh, empty profile directory of its own.
 */
export async function launchBrowser(): Promise<ConsoleBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/**
 * A new page at laptop size that fails the test on any request leaving the gateway's origin, and
 * records console errors.
 */
export async function newPage(browser: Browser, origin: string): Promise<{ page: Page; outside: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  const page = await context.newPage();
  const outside: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  return { page, outside };
}

export async function signIn(page: Page, origin: string, key: string): Promise<void> {
  await page.goto(`${origin}/console/`);
  await page.getByLabel('Admin API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}
