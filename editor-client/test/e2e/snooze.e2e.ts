// VS Code's own "Snooze Inline Suggestions": while it is on, typing must cost the server no
// model work. Run by scripts/e2e.sh with WATTCODE_E2E_SCENARIO=snooze and VS Code's default
// quick suggestions (the completion list asks as you type); reads the server's debug log to say
// which messages still reached it, and whether it sent `wattcode/status` (energy spent).
import * as fs from "node:fs";
import * as path from "node:path";
import { type Page } from "playwright-core";
import { launch, must, runCommand, step } from "./common";

const URL = must("E2E_URL");
const SHOT_DIR = must("E2E_SHOT_DIR");
const LOG_DIR = must("E2E_LOG_DIR");
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 240000);

/** The server's log lines so far (debug level: every message it received). */
function serverLog(): string[] {
  return fs
    .readdirSync(LOG_DIR)
    .filter((f) => f.endsWith(".log"))
    .flatMap((f) => fs.readFileSync(path.join(LOG_DIR, f), "utf8").split("\n"));
}

function received(lines: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    const m = /(?:Request|Notification) '([^']+)' received/.exec(line);
    if (m) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
  }
  return counts;
}

async function run(page: Page): Promise<void> {
  await page.goto(URL);
  await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: 90000 });
  await page.locator('.explorer-folders-view .monaco-list-row:has-text("shapes.py")').click();
  const editor = page.locator(".monaco-editor .view-lines").first();
  await editor.waitFor({ timeout: 30000 });
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll(".statusbar .statusbar-item")].some((n) =>
        /^\d+(\.\d+)? (mJ|J|Wh)\b/.test((n as HTMLElement).innerText.replace(/\u00a0/g, " ").trim()),
      ),
    undefined,
    { timeout: 90000 },
  );
  step("server running");
  await runCommand(page, "Snooze Inline Suggestions");
  await page.locator(".quick-input-widget .monaco-list-row").first().waitFor({ timeout: 10000 });
  await page.keyboard.press("Enter");
  await page.waitForTimeout(500);
  const before = serverLog().length;
  step("snoozed; typing for about 15 s");
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("return 2 * (self.width + self.height)", { delay: 150 });
  await page.keyboard.press("Enter");
  await page.keyboard.type("def describe(self) -> str:", { delay: 150 });
  await page.keyboard.press("Enter");
  await page.keyboard.type("return f'{self.width} x {self.height}'", { delay: 150 });
  await page.waitForTimeout(3000);
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOT_DIR, "vscode-snoozed.png") });
  const during = serverLog().slice(before);
  const counts = received(during);
  step(`requests while snoozed: ${JSON.stringify(counts)}`);
  console.log(`E2E_SNOOZE_RECEIVED=${JSON.stringify(counts)}`);
  // The server sends `wattcode/status` whenever its energy changes: none means no model work.
  const spent = during.filter((l) => /Sending notification: 'wattcode\/status'/.test(l)).length;
  console.log(`E2E_SNOOZE_STATUS_NOTIFICATIONS=${spent}`);
  const asked = Object.keys(counts).filter((m) => /completion/i.test(m));
  if (asked.length || spent) {
    throw new Error(`while snoozed the server was asked ${JSON.stringify(counts)} and spent energy ${spent} times`);
  }
}

async function main(): Promise<void> {
  const { context, page } = await launch();
  const deadline = setTimeout(() => {
    step("timed out");
    process.exit(2);
  }, TIMEOUT_MS);
  try {
    await run(page);
    step("passed");
  } finally {
    clearTimeout(deadline);
    await context.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    step(`FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
