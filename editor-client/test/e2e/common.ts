// What the e2e scenarios share: their environment, the step log, the command palette, and a
// headless Chromium that reaches nothing but the local code-server.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const started = Date.now();

/** An environment variable that scripts/e2e.sh sets. */
export function must(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run editor-client/scripts/e2e.sh)`);
  return value;
}

export function step(message: string): void {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
}

/** Runs a command from the command palette (F1), by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press("F1");
  await page.keyboard.type(title, { delay: 20 });
  await page.locator(`.quick-input-widget .monaco-list-row:has-text("${title}")`).first().click({ timeout: 10000 });
}

/** Headless Chromium with a fresh profile; offline by construction (only 127.0.0.1). */
export async function launch(): Promise<{ context: BrowserContext; page: Page }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "wattcode-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.E2E_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  await context.route(
    (url) => url.hostname !== "127.0.0.1",
    (route) => route.abort(),
  );
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}
