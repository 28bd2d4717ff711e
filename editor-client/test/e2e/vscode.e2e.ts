// The extension in a real VS Code (code-server), driven by headless Chromium: open a Python
// file, type, see ghost text from the real server and model, accept it with Tab, hover for the
// cost, read the status bar, open the stats from the status bar's menu. Run by scripts/e2e.sh,
// which starts code-server and passes the URL; bounded by E2E_TIMEOUT_MS; screenshots on
// failure (and one on success) in E2E_SHOT_DIR.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Page } from "playwright-core";

const URL = must("E2E_URL");
const SHOT_DIR = must("E2E_SHOT_DIR");
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 240000);
const EXPECT_STATUS = process.env.E2E_EXPECT_STATUS === "1";
const started = Date.now();

function must(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run editor-client/scripts/e2e.sh)`);
  return value;
}

function step(message: string): void {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
}

/** Monaco renders spaces as no-break spaces. */
const text = (s: string | null) => (s ?? "").replace(/\u00a0/g, " ");

async function shot(page: Page | undefined, name: string): Promise<void> {
  if (!page) return;
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  const file = path.join(SHOT_DIR, name);
  await page.screenshot({ path: file, timeout: 10000 }).catch((err) => step(`screenshot failed: ${err}`));
  step(`screenshot ${file}`);
}

/** The rendered editor lines, top to bottom. */
async function editorLines(page: Page): Promise<string[]> {
  const lines = await page.locator(".monaco-editor .view-lines .view-line").evaluateAll((nodes) =>
    nodes
      .map((n) => ({ top: parseFloat((n as HTMLElement).style.top || "0"), text: n.textContent ?? "" }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
  return lines.map((l) => text(l));
}

async function statusTexts(page: Page): Promise<string[]> {
  const items = await page.locator(".statusbar .statusbar-item").allInnerTexts();
  return items.map((t) => text(t).trim()).filter(Boolean);
}

async function run(): Promise<Page> {
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
  // Offline by construction: only the local code-server is reachable.
  await context.route(
    (url) => url.hostname !== "127.0.0.1",
    (route) => route.abort(),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  current = page;
  step(`open ${URL}`);
  await page.goto(URL);
  await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: 90000 });
  await page.locator('.explorer-folders-view .monaco-list-row:has-text("shapes.py")').click();
  const editor = page.locator(".monaco-editor .view-lines").first();
  await editor.waitFor({ timeout: 30000 });
  step("shapes.py is open");

  // The server is up once the status item leaves "wattcode: starting": "wattcode" until the
  // first `wattcode/status`, the session's energy after. Typing earlier would change the
  // document before the inline completion provider exists, and nothing would ask.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll(".statusbar .statusbar-item")].some((n) => {
        const t = (n as HTMLElement).innerText.replace(/\u00a0/g, " ").trim();
        return t === "wattcode" || /^\d+(\.\d+)? (mJ|J|Wh)\b/.test(t);
      }),
    undefined,
    { timeout: 90000 },
  );
  step(`server running; status bar: ${JSON.stringify(await statusTexts(page))}`);

  await editor.click();
  await page.keyboard.press("Control+End");
  // From the end of the docstring line, Enter indents the new line into the method body.
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Enter");
  await page.keyboard.type("return ", { delay: 60 });
  step("typed 'return '");

  const ghost = page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text");
  try {
    await ghost.first().waitFor({ state: "visible", timeout: 60000 });
  } catch {
    step("no ghost text yet: asking for one with the command 'wattcode: Suggest now'");
    await page.keyboard.press("F1");
    await page.keyboard.type("wattcode: Suggest now", { delay: 20 });
    await page.locator('.quick-input-widget .monaco-list-row:has-text("Suggest now")').first().waitFor({ timeout: 10000 });
    await page.keyboard.press("Enter");
    await ghost.first().waitFor({ state: "visible", timeout: 60000 });
  }
  const ghostText = text((await ghost.allTextContents()).join("")).trim();
  step(`ghost text: ${JSON.stringify(ghostText)}`);
  if (!ghostText) throw new Error("the ghost text is empty");

  await page.keyboard.press("Tab");
  await page.waitForTimeout(500);
  const lines = await editorLines(page);
  const accepted = lines.find((l) => l.trim().startsWith("return ") && l.includes(ghostText.slice(0, 8)));
  step(`line after Tab: ${JSON.stringify(accepted)}`);
  if (!accepted) throw new Error(`Tab did not insert the suggestion; lines: ${JSON.stringify(lines)}`);
  await shot(page, "vscode-accepted.png");

  // Hover over the accepted line: the server's cost of the suggestion shown there.
  const line = page.locator(".monaco-editor .view-line", { hasText: ghostText.slice(0, 8) }).last();
  const box = await line.boundingBox();
  if (!box) throw new Error("the accepted line is not on screen");
  await page.keyboard.press("Escape");
  await page.mouse.move(box.x + 80, box.y + box.height / 2);
  await page.mouse.move(box.x + 90, box.y + box.height / 2);
  const hover = page.locator(".monaco-hover", { hasText: "generated" }).first();
  await hover.waitFor({ state: "visible", timeout: 20000 });
  const hoverText = text(await hover.innerText());
  step(`hover: ${JSON.stringify(hoverText)}`);
  if (!/prompt/.test(hoverText)) throw new Error("the hover does not show the prompt's cost");
  if (EXPECT_STATUS && !/\d J\b/.test(hoverText)) throw new Error("the hover does not show the energy");
  console.log(`E2E_HOVER=${JSON.stringify(hoverText)}`);
  await shot(page, "vscode-hover.png");

  // The status bar: the session's energy once the server sends `wattcode/status`.
  const energy = /\d(\.\d+)? (mJ|J|Wh)\b/;
  if (EXPECT_STATUS) {
    await page.waitForFunction(
      (source) =>
        [...document.querySelectorAll(".statusbar .statusbar-item")].some((n) =>
          new RegExp(source).test((n as HTMLElement).innerText.replace(/\u00a0/g, " ")),
        ),
      energy.source,
      { timeout: 30000 },
    );
  }
  const status = await statusTexts(page);
  const energyItem = status.find((t) => energy.test(t));
  step(`status bar: ${JSON.stringify(energyItem ?? status.filter((t) => /wattcode/.test(t)))}`);
  console.log(`E2E_STATUS=${JSON.stringify(energyItem ?? null)}`);

  // The status bar item's menu: session statistics from `wattcode/stats` open as a document.
  await page.mouse.move(10, 10);
  const item = energyItem
    ? page.locator(".statusbar .statusbar-item", { hasText: energyItem }).first()
    : page.locator('.statusbar .statusbar-item:has-text("wattcode")').first();
  await item.click();
  const quickInput = page.locator(".quick-input-widget");
  await quickInput.locator('.monaco-list-row:has-text("Show session statistics")').click({ timeout: 15000 });
  await page.locator('.monaco-editor .view-line:has-text("generations_started")').first().waitFor({ timeout: 20000 });
  step("the menu's 'Show session statistics' opened the stats");
  await shot(page, "vscode-success.png");
  await context.close();
  return page;
}

let current: Page | undefined;
const deadline = setTimeout(async () => {
  step(`timed out after ${TIMEOUT_MS} ms`);
  await shot(current, "vscode-failure.png");
  process.exit(2);
}, TIMEOUT_MS);

run().then(
  () => {
    clearTimeout(deadline);
    step("passed");
    process.exit(0);
  },
  async (err) => {
    clearTimeout(deadline);
    step(`FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    await shot(current, "vscode-failure.png");
    process.exit(1);
  },
);
