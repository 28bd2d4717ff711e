import assert from "node:assert/strict";
import { test } from "node:test";
import { availablePresets, literalPattern, resolveServerCommand, serverSettings } from "../../src/config";
import { loadManifest } from "./manifest";

const CLIENT_ONLY = ["wattcode.server.command", "wattcode.server.pythonEnvironment", "wattcode.trace.server"];

test("serverSettings drops client-only settings and keeps the rest, nested", () => {
  const section = {
    server: { command: ["x"], pythonEnvironment: null },
    trace: { server: "verbose" },
    completion: { maxTokens: 16, enabled: false },
    model: { path: null },
  };
  assert.deepEqual(serverSettings(section, CLIENT_ONLY), {
    completion: { maxTokens: 16, enabled: false },
    model: { path: null },
  });
  assert.deepEqual(serverSettings(undefined, CLIENT_ONLY), {});
  assert.deepEqual(serverSettings([1, 2], CLIENT_ONLY), {});
});

function env(executables: string[], PATH = "/usr/bin:/opt/tools/bin") {
  return { PATH, platform: "linux" as const, isExecutable: (f: string) => executables.includes(f) };
}

test("the command comes from PATH by default", () => {
  const r = resolveServerCommand({ command: [], pythonEnvironment: null }, env(["/opt/tools/bin/wattcode"]));
  assert.deepEqual(r, { ok: true, command: "/opt/tools/bin/wattcode", args: ["serve"] });
});

test("a configured Python environment wins over PATH", () => {
  const r = resolveServerCommand(
    { command: [], pythonEnvironment: "/home/me/.venv" },
    env(["/usr/bin/wattcode", "/home/me/.venv/bin/wattcode"]),
  );
  assert.deepEqual(r, { ok: true, command: "/home/me/.venv/bin/wattcode", args: ["serve"] });
});

test("a configured command wins over everything and keeps its arguments", () => {
  const r = resolveServerCommand(
    { command: ["wattcode", "serve", "--log-level", "debug"], pythonEnvironment: "/home/me/.venv" },
    env(["/usr/bin/wattcode"]),
  );
  assert.deepEqual(r, { ok: true, command: "/usr/bin/wattcode", args: ["serve", "--log-level", "debug"] });
});

test("missing programs give one clear message each", () => {
  const none = resolveServerCommand({ command: [], pythonEnvironment: null }, env([]));
  assert.equal(none.ok, false);
  assert.match((none as { message: string }).message, /not found on PATH.*pipx install wattcode/);
  const badEnv = resolveServerCommand({ command: [], pythonEnvironment: "/nowhere" }, env(["/usr/bin/wattcode"]));
  assert.match((badEnv as { message: string }).message, /not installed in the Python environment \/nowhere/);
  const badCmd = resolveServerCommand({ command: ["/x/wattcode", "serve"], pythonEnvironment: null }, env([]));
  assert.match((badCmd as { message: string }).message, /'\/x\/wattcode' was not found/);
  const notStrings = resolveServerCommand({ command: ["wattcode", 3], pythonEnvironment: null }, env([]));
  assert.match((notStrings as { message: string }).message, /list of non-empty strings/);
});

test("presets are offered only when every setting they write is contributed", () => {
  const manifest = loadManifest();
  const presets = manifest.wattcodeClient.budgetPresets;
  assert.ok(presets.length >= 2);
  const withPower = structuredClone(manifest);
  for (const p of presets) {
    for (const key of Object.keys(p.settings)) withPower.contributes.configuration.properties[key] = {};
  }
  assert.equal(availablePresets(withPower).length, presets.length);
  const withoutAny = structuredClone(manifest);
  for (const p of presets) {
    for (const key of Object.keys(p.settings)) delete withoutAny.contributes.configuration.properties[key];
  }
  assert.equal(availablePresets(withoutAny).length, 0);
});

test("literalPattern: glob characters and a leading ! match themselves", () => {
  assert.equal(literalPattern("src/app.py"), "src/app.py");
  assert.equal(literalPattern("a*b?[c].txt"), "a[*]b[?][[]c].txt");
  assert.equal(literalPattern("!notes.md"), "\\!notes.md");
});
