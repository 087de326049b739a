import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (installed by scripts/ensure-chromium.sh), or another build named by AIRLOCK_CHROMIUM. */
const CHROMIUM = process.env.AIRLOCK_CHROMIUM ?? '/usr/bin/chromium';
/** Where the console's browser tests keep their screenshots (git-ignored). */
export const CONSOLE_SHOTS = fileURLToPath(new URL('../../../../test-output/console/', import.meta.url));

/** One Chromium page for the web console's browser tests, with what every journey needs around it. */
export interface ConsoleBrowser {
  readonly page: Page;
  /** The page's console errors and uncaught exceptions: a journey that passes with script errors still fails. */
  readonly scriptErrors: string[];
  /** A screenshot into CONSOLE_SHOTS as `<name>.png`. */
  shot(name: string, options?: { readonly fullPage?: boolean }): Promise<void>;
  /** Waits for the locator to be visible; on a timeout keeps a screenshot of what the page showed instead. */
  expectVisible(locator: Locator, timeout?: number): Promise<void>;
  /** Fills the sign-in form (signing out first when signed in) and submits it; does not wait for the outcome. */
  signIn(key: string): Promise<void>;
  close(): Promise<void>;
}

export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  mkdirSync(CONSOLE_SHOTS, { recursive: true });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  const scriptErrors: string[] = [];
  page.on('pageerror', (error) => scriptErrors.push(error.message));
  page.on('console', (message) => {
    // 4xx answers the journeys provoke on purpose show as failed resource loads: not script errors.
    if (message.type() === 'error' && !message.text().includes('Failed to load resource')) scriptErrors.push(message.text());
  });
  const shot = async (name: string, options: { readonly fullPage?: boolean } = {}) => {
    await page.screenshot({ path: `${CONSOLE_SHOTS}${name}.png`, fullPage: options.fullPage ?? true });
  };
  return {
    page,
    scriptErrors,
    shot,
    async expectVisible(locator, timeout) {
      try {
        await locator.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });
      } catch (error) {
        await shot(`failed-${Date.now()}`).catch(() => undefined);
        throw error;
      }
    },
    async signIn(key) {
      const signOut = page.getByRole('button', { name: 'Sign out' });
      if (await signOut.isVisible()) await signOut.click();
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    close: () => browser.close(),
  };
}
