// The extension in a real VS Code (code-server), driven by headless Chromium: open a Python
// file, type, see automatic ghost text from the real server and model, ask for it with the
// command too, accept it with Tab, hover for the cost, read the status bar, open the stats from
// the status bar's menu, accept a multi-line body after `def ...:` Enter and check that the saved
// file parses; then a tiny power
// budget typed into the user settings is spent, pauses the server (status bar, hover, refused
// requests), and the Performance preset brings it back. Run by scripts/e2e.sh, which starts
// code-server and passes the URL and the user settings file; bounded by E2E_TIMEOUT_MS;
// screenshots on failure (and one on success) in E2E_SHOT_DIR.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { type Page } from "playwright-core";
import { launch, must, runCommand, step } from "./common";

const URL = must("E2E_URL");
const SHOT_DIR = must("E2E_SHOT_DIR");
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 240000);
const EXPECT_STATUS = process.env.E2E_EXPECT_STATUS === "1";
const USER_SETTINGS = must("E2E_USER_SETTINGS");
const WORKSPACE = must("E2E_WORKSPACE");

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

/** The first status bar item whose text matches `pattern`, once one does. */
async function waitForStatus(page: Page, pattern: RegExp, timeout: number): Promise<string> {
  const found = await page.waitForFunction(
    (source) => {
      for (const n of document.querySelectorAll(".statusbar .statusbar-item")) {
        const t = (n as HTMLElement).innerText.replace(/\u00a0/g, " ").trim();
        if (new RegExp(source).test(t)) return t;
      }
      return false;
    },
    pattern.source,
    { timeout },
  );
  return String(await found.jsonValue());
}

function readUserSettings(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(USER_SETTINGS, "utf8"));
}

/**
 * Adds settings as a person would: in VS Code's editor for the user settings (settings.json),
 * typed after the opening brace, saved with Ctrl+S. (code-server does not notice the file
 * written behind its back.) Checked on disk.
 */
async function addUserSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await runCommand(page, "Preferences: Open User Settings (JSON)");
  // Its editor (a modal one in this VS Code) is the one with the server command in it.
  const line = page.locator('.monaco-editor .view-line:has-text("wattcode.server.command")').last();
  await line.click({ timeout: 20000 });
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("End");
  // One line: auto-closed quotes and brackets are typed over, nothing is auto-indented.
  const entries = Object.entries(settings).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}, `);
  await page.keyboard.insertText(entries.join(""));
  await page.keyboard.press("Escape"); // a completion list, if one opened
  await page.keyboard.press("Control+s");
  const deadline = Date.now() + 15000;
  for (;;) {
    let saved: Record<string, unknown> | undefined;
    try {
      saved = readUserSettings();
    } catch {
      saved = undefined; // not saved yet, or mangled: read again until the deadline
    }
    if (saved && Object.entries(settings).every(([key, value]) => saved![key] === value)) break;
    if (Date.now() > deadline) {
      throw new Error(`the user settings were not saved as typed: ${fs.readFileSync(USER_SETTINGS, "utf8")}`);
    }
    await page.waitForTimeout(250);
  }
  // Close the settings editor (Escape closes a modal one), else with the command.
  const modal = page.locator(".monaco-modal-editor-block").first();
  await page.keyboard.press("Escape");
  if (!(await modal.isHidden())) {
    await modal.waitFor({ state: "hidden", timeout: 3000 }).catch(async () => {
      await runCommand(page, "View: Close Editor");
      await modal.waitFor({ state: "hidden", timeout: 10000 });
    });
  }
}

async function run(): Promise<Page> {
  const { context, page } = await launch();
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

  // Automatic ghost text only: "return " is gated (a space after code), and the server answers
  // it after the pause that follows; a broken automatic path must fail here.
  const ghost = page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text");
  await ghost.first().waitFor({ state: "visible", timeout: 90000 });
  const ghostText = text((await ghost.allTextContents()).join("")).trim();
  step(`automatic ghost text: ${JSON.stringify(ghostText)}`);
  if (!ghostText) throw new Error("the ghost text is empty");

  // The manual command on its own: dismiss the ghost text, ask for it with the command.
  await page.keyboard.press("Escape");
  await ghost.first().waitFor({ state: "hidden", timeout: 10000 });
  await runCommand(page, "wattcode: Suggest now");
  await ghost.first().waitFor({ state: "visible", timeout: 60000 });
  step(`'wattcode: Suggest now' showed: ${JSON.stringify(text((await ghost.allTextContents()).join("")).trim())}`);

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

  await acceptMultiLine(page);
  // The power budget needs `wattcode/status` (and `power` in it) from the server.
  if (EXPECT_STATUS) await powerBudget(page);
  await shot(page, "vscode-success.png");
  await context.close();
  return page;
}

/**
 * A multi-line suggestion accepted whole after `def fibonacci(n):` and Enter in fib.py (VS Code
 * indents the new line): the saved file must parse, its indentation untouched by the suggestion.
 */
async function acceptMultiLine(page: Page): Promise<void> {
  await page.mouse.move(10, 10);
  await page.keyboard.press("Escape");
  await page.locator('.explorer-folders-view .monaco-list-row:has-text("fib.py")').click();
  await page.locator('.monaco-editor .view-line:has-text("Small number functions")').first().waitFor({ timeout: 30000 });
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("def fibonacci(n):", { delay: 40 });
  await page.keyboard.press("Enter");
  const ghost = page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text");
  await ghost.first().waitFor({ state: "visible", timeout: 90000 });
  await page.waitForTimeout(300);
  step(`ghost text after 'def fibonacci(n):' and Enter: ${JSON.stringify(text((await ghost.allTextContents()).join("\n")))}`);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Control+s");
  const file = path.join(WORKSPACE, "fib.py");
  let saved = "";
  for (const until = Date.now() + 15000; Date.now() < until; await page.waitForTimeout(250)) {
    saved = fs.readFileSync(file, "utf8");
    if (/def fibonacci\(n\):\n[ \t]+\S/.test(saved)) break;
  }
  const body = saved.slice(saved.indexOf("def fibonacci(n):"));
  step(`saved after Tab: ${JSON.stringify(body)}`);
  await shot(page, "vscode-multiline.png");
  if (!/def fibonacci\(n\):\n {4}\S/.test(body)) throw new Error("Tab did not insert the body at the typed indentation");
  const check = spawnSync("python3", ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", file], {
    encoding: "utf8",
  });
  if (check.status !== 0) throw new Error(`the saved file does not parse: ${check.stderr}`);
  console.log(`E2E_MULTILINE_LINES=${body.trimEnd().split("\n").length - 1}`);
}

/**
 * A power budget set in the settings changes what the server does: 0.01 Wh/h (a 0.3 J reserve)
 * with `pause` is spent by one suggestion, after which the status bar says `paused`, hover on
 * any line says why, and the server refuses requests (asked-for ones included), until the
 * Performance preset (no budget) brings back the plain status and suggestions.
 */
async function powerBudget(page: Page): Promise<void> {
  const tiny = 0.01;
  await addUserSettings(page, {
    // All three tiers, so that the step holds on a laptop's battery too.
    "wattcode.power.ac.maxWattHoursPerHour": tiny,
    "wattcode.power.battery.maxWattHoursPerHour": tiny,
    "wattcode.power.lowBattery.maxWattHoursPerHour": tiny,
    "wattcode.power.whenExhausted": "pause",
  });
  const tiered = await waitForStatus(page, /\d (mJ|J|Wh) · (AC|battery|low battery)\b/, 30000);
  step(`budget of ${tiny} Wh/h typed into the user settings; status bar: ${JSON.stringify(tiered)}`);

  // Back in shapes.py, a new line whose suggestion (not cached) spends the reserve.
  await page.locator('.explorer-folders-view .monaco-list-row:has-text("shapes.py")').click();
  const editor = page.locator(".monaco-editor .view-lines").first();
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("half = self.width / ", { delay: 60 });
  const pausedPattern = /\d (mJ|J|Wh) · (AC|battery|low battery) · paused$/;
  let paused: string;
  try {
    paused = await waitForStatus(page, pausedPattern, 90000);
  } catch {
    step("not paused yet: asking for a suggestion with 'wattcode: Suggest now'");
    await runCommand(page, "wattcode: Suggest now");
    paused = await waitForStatus(page, pausedPattern, 60000);
  }
  step(`the suggestion spent the budget; status bar: ${JSON.stringify(paused)}`);
  console.log(`E2E_STATUS_PAUSED=${JSON.stringify(paused)}`);
  await shot(page, "vscode-paused.png");
  // The pause lasts until the reserve is 25 % full again: 37.5 s at 0.01 W from the most it
  // can owe (one reserve). The hover and the refused requests are checked within that.

  // Hover on the first line, which never had a suggestion: the budget's state.
  await page.keyboard.press("Escape");
  const first = page.locator(".monaco-editor .view-line", { hasText: "class Rectangle" }).first();
  const box = await first.boundingBox();
  if (!box) throw new Error("the first line is not on screen");
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await page.mouse.move(box.x + 40, box.y + box.height / 2);
  const hover = page.locator(".monaco-hover", { hasText: "paused" }).first();
  await hover.waitFor({ state: "visible", timeout: 15000 });
  const hoverText = text(await hover.innerText());
  step(`hover while paused: ${JSON.stringify(hoverText)}`);
  if (!/no suggestion on this line/.test(hoverText) || !/budget 0\.01 Wh\/h/.test(hoverText)) {
    throw new Error("the hover does not show the spent budget");
  }
  console.log(`E2E_HOVER_PAUSED=${JSON.stringify(hoverText)}`);

  // A keystroke and an asked-for suggestion while paused: both refused, counted in the stats.
  await page.mouse.move(10, 10);
  await page.keyboard.press("Escape");
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("End");
  await page.keyboard.press("Enter"); // a new line: no cached suggestion continues there
  await page.keyboard.type("q", { delay: 60 });
  await runCommand(page, "wattcode: Suggest now");
  await page.waitForTimeout(2000);
  await runCommand(page, "wattcode: Show session statistics");
  await page.locator('.monaco-editor .view-line:has-text("generations_started")').first().waitFor({ timeout: 20000 });
  await page.keyboard.press("Control+f");
  await page.keyboard.type("requests_refused_paused");
  await page.keyboard.press("Escape");
  const refusedRow = page.locator('.monaco-editor .view-line:has-text("requests_refused_paused")').first();
  const refusedLine = text(await refusedRow.innerText({ timeout: 10000 }));
  const refused = Number(/"requests_refused_paused":\s*(\d+)/.exec(refusedLine)?.[1] ?? NaN);
  step(`stats: ${refusedLine.trim()}`);
  if (!(refused >= 1)) throw new Error(`the server refused no request while paused: ${refusedLine}`);

  // The Performance preset (no budget, from the command): the plain status again, at once.
  await runCommand(page, "wattcode: Choose a power budget");
  await page.locator('.quick-input-widget .monaco-list-row:has-text("Performance")').first().click({ timeout: 10000 });
  const plain = await waitForStatus(page, /^\d+(\.\d+)? (mJ|J|Wh)$/, 30000);
  step(`the Performance preset lifted the budget; status bar: ${JSON.stringify(plain)}`);
  const written = readUserSettings();
  if (written["wattcode.power.ac.maxWattHoursPerHour"] !== null) {
    throw new Error(`the preset did not write the user setting: ${JSON.stringify(written)}`);
  }

  // And suggestions again: a new line in shapes.py gets ghost text.
  await page.locator('.explorer-folders-view .monaco-list-row:has-text("shapes.py")').click();
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("return self.", { delay: 60 });
  const ghost = page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text");
  await ghost.first().waitFor({ state: "visible", timeout: 90000 });
  step(`ghost text with no budget again: ${JSON.stringify(text((await ghost.allTextContents()).join("")).trim())}`);
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
