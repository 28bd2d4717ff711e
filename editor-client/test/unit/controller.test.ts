import assert from "node:assert/strict";
import { test } from "node:test";
import { Controller, ENABLED } from "../../src/controller";
import type { Host, PickItem, ServerLink } from "../../src/host";
import type { StatusView } from "../../src/status";
import { loadManifest } from "./manifest";

class FakeHost implements Host {
  settings = new Map<string, unknown>();
  picks: string[] = [];
  offered: PickItem[][] = [];
  infos: string[] = [];
  errors: string[] = [];
  logs: string[] = [];
  documents: string[] = [];
  commands: string[] = [];
  status: StatusView | undefined;
  logShown = false;
  getSetting(key: string) {
    return this.settings.get(key);
  }
  async updateSetting(key: string, value: unknown) {
    this.settings.set(key, value);
  }
  async pick(items: PickItem[]) {
    this.offered.push(items);
    const label = this.picks.shift();
    return items.find((i) => i.label === label);
  }
  info(m: string) {
    this.infos.push(m);
  }
  error(m: string) {
    this.errors.push(m);
  }
  log(l: string) {
    this.logs.push(l);
  }
  showLog() {
    this.logShown = true;
  }
  async showDocument(content: string) {
    this.documents.push(content);
  }
  async executeCommand(id: string) {
    this.commands.push(id);
  }
  setStatus(view: StatusView) {
    this.status = view;
  }
}

class FakeServer implements ServerLink {
  up = true;
  requests: string[] = [];
  answers: Record<string, unknown> = {};
  running() {
    return this.up;
  }
  async request(method: string) {
    this.requests.push(method);
    if (!(method in this.answers)) throw Object.assign(new Error("Unhandled method"), { code: -32601 });
    return this.answers[method];
  }
  async restart() {}
}

function setup() {
  const host = new FakeHost();
  const server = new FakeServer();
  return { host, server, controller: new Controller(host, server, loadManifest()) };
}

test("the status bar tells a starting and a stopped server apart", () => {
  const { host, controller } = setup();
  controller.render();
  assert.equal(host.status?.text, "$(sync~spin) wattcode: starting");
  controller.setServerState("stopped");
  assert.equal(host.status?.text, "$(warning) wattcode: stopped");
  controller.setServerState("running");
  assert.equal(host.status?.text, "$(zap) wattcode");
});

test("toggling writes the server's enabled setting and the status shows (off)", async () => {
  const { host, controller } = setup();
  controller.setServerState("running");
  assert.equal(host.status?.text, "$(zap) wattcode");
  await controller.toggle();
  assert.equal(host.settings.get(ENABLED), false);
  assert.equal(host.status?.text, "$(zap) wattcode (off)");
  await controller.toggle();
  assert.equal(host.settings.get(ENABLED), true);
});

test("status notifications update the bar; malformed ones keep the last good one", () => {
  const { host, controller } = setup();
  controller.setServerState("running");
  controller.onStatus({ energyJoules: 2.5, suggestions: 1, accepted: 0 });
  assert.equal(host.status?.text, "$(zap) 2.5 J");
  controller.onStatus("garbage");
  controller.onStatus(null);
  assert.equal(host.status?.text, "$(zap) 2.5 J");
});

test("stats are requested from the server and shown as a document", async () => {
  const { host, server, controller } = setup();
  server.answers["wattcode/stats"] = { requests: 3, suggestions: 2 };
  await controller.showStats();
  assert.deepEqual(server.requests, ["wattcode/stats"]);
  assert.deepEqual(JSON.parse(host.documents[0]), { requests: 3, suggestions: 2 });
});

test("clear caches reports what was cleared, or that the server cannot", async () => {
  const { host, server, controller } = setup();
  await controller.clearCaches();
  assert.match(host.errors[0], /wattcode\/clearCaches failed: this wattcode server does not support it/);
  server.answers["wattcode/clearCaches"] = { suggestions: 4, kvStates: 2 };
  await controller.clearCaches();
  assert.match(host.infos[0], /4 suggestions, 2 saved KV states/);
});

test("requests while the server is down give a message, not an exception", async () => {
  const { host, server, controller } = setup();
  server.up = false;
  await controller.showStats();
  assert.deepEqual(server.requests, []);
  assert.match(host.errors[0], /server is not running/);
});

test("the menu dispatches: trigger-free items, log, budget", async () => {
  const { host, controller } = setup();
  host.picks = ["Show the log"];
  await controller.menu();
  assert.equal(host.logShown, true);
  assert.deepEqual(
    host.offered[0].map((i) => i.label),
    ["Disable suggestions", "Choose a power budget…", "Show session statistics", "Clear caches", "Show the log"],
  );
  await controller.triggerSuggestion();
  assert.deepEqual(host.commands, ["editor.action.inlineSuggest.trigger"]);
});

test("a budget preset writes its settings when they are contributed", async () => {
  const manifest = loadManifest();
  const preset = manifest.wattcodeClient.budgetPresets[0];
  for (const key of Object.keys(preset.settings)) manifest.contributes.configuration.properties[key] = {};
  const host = new FakeHost();
  const controller = new Controller(host, new FakeServer(), manifest);
  host.picks = [preset.label];
  await controller.chooseBudget();
  for (const [key, value] of Object.entries(preset.settings)) assert.equal(host.settings.get(key), value);
});
