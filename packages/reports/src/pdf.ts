import { access, constants } from 'node:fs/promises';
import { DomainError } from '@airlock/core';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's Chromium is, unless `AIRLOCK_CHROMIUM` says otherwise. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface PdfRendererOptions {
  /** The Chromium binary (default: `AIRLOCK_CHROMIUM`, else /usr/bin/chromium). */
  readonly executablePath?: string;
  /** Pages rendered at once; more wait their turn (default 2). */
  readonly concurrency?: number;
  /** Bound on launching the browser and on rendering one page, each (ms, default 30 s). */
  readonly timeoutMs?: number;
}

/**
 * Renders HTML to PDF (A4, backgrounds printed) in headless Chromium driven by playwright-core. The browser is
 * launched on first use and reused; at most `concurrency` pages render at once; `close()` stops it (the API
 * closes it when it shuts down). A Chromium that is missing or will not start is `RENDERER_UNAVAILABLE` (503).
 */
export class PdfRenderer {
  private readonly executablePath: string;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private browser: Promise<Browser> | null = null;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: PdfRendererOptions = {}) {
    this.executablePath = options.executablePath ?? process.env['AIRLOCK_CHROMIUM'] ?? DEFAULT_CHROMIUM;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async render(html: string): Promise<Uint8Array> {
    await this.acquire();
    try {
      const browser = await this.launch();
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(this.timeoutMs);
        // The report is self-contained: nothing is fetched, no script runs.
        await page.route('**/*', (route) => route.abort());
        await page.setContent(html, { waitUntil: 'load', timeout: this.timeoutMs });
        const pdf = await page.pdf({ format: 'A4', printBackground: true });
        return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
      } finally {
        await context.close().catch(() => undefined);
      }
    } finally {
      this.release();
    }
  }

  /** Stops the browser, if one was launched. A later render launches a new one. */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (browser) await (await browser.catch(() => null))?.close().catch(() => undefined);
  }

  private launch(): Promise<Browser> {
    if (!this.browser) {
      const launching = this.start();
      this.browser = launching;
      // A failed launch is not cached: the next request tries again (Chromium may have been installed meanwhile).
      launching.then(
        (browser) => browser.on('disconnected', () => { if (this.browser === launching) this.browser = null; }),
        () => { if (this.browser === launching) this.browser = null; },
      );
    }
    return this.browser;
  }

  private async start(): Promise<Browser> {
    const path = this.executablePath;
    const missing = await access(path, constants.X_OK).then(() => false, () => true);
    if (missing) {
      throw new DomainError('RENDERER_UNAVAILABLE', `no Chromium at ${path} to render the PDF (install Debian's chromium, or set AIRLOCK_CHROMIUM); html is available`, { executablePath: path });
    }
    try {
      return await chromium.launch({ executablePath: path, args: ['--no-sandbox'], timeout: this.timeoutMs });
    } catch (error) {
      throw new DomainError('RENDERER_UNAVAILABLE', `Chromium at ${path} did not start: ${(error as Error).message.split('\n')[0]}`, { executablePath: path });
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

let shared: PdfRenderer | null = null;

/** Renders HTML to PDF with the process's shared renderer (launched on first use). */
export function renderPdf(html: string): Promise<Uint8Array> {
  shared ??= new PdfRenderer();
  return shared.render(html);
}

/** Closes the shared renderer's browser (API shutdown). */
export async function closePdfRenderer(): Promise<void> {
  const renderer = shared;
  shared = null;
  await renderer?.close();
}
