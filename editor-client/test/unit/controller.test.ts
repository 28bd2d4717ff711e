import assert from "node:assert/strict";
import { test } from "node:test";
import { Controller, ENABLED, EXCLUDE, POWER_REFRESH_MS, type Timers } from "../../src/controller";
import type { Host, PickItem, ServerLink } from "../../src/host";
import type { PowerStatus, StatusView } from "../../src/status";
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
  workspaceWrites: string[] = [];
  active: string | undefined;
  async updateWorkspaceSetting(key: string, value: unknown) {
    this.workspaceWrites.push(key);
    this.settings.set(key, value);
  }
  activeFile() {
    return this.active;
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

/** A clock that moves only when told; timers run when it passes them. */
class FakeTimers implements Timers {
  time = 0;
  pending = new Map<number, { at: number; run: () => void }>();
  private next = 0;
  set(run: () => void, ms: number) {
    this.pending.set(++this.next, { at: this.time + ms, run });
    return this.next;
  }
  clear(handle: unknown) {
    this.pending.delete(handle as number);
  }
  /** Due times from now, in ms. */
  due(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.time);
  }
  async advance(ms: number) {
    this.time += ms;
    for (const [id, t] of [...this.pending]) {
      if (t.at <= this.time) {
        this.pending.delete(id);
        t.run();
      }
    }
    await new Promise((resolve) => setImmediate(resolve)); // let the request settle
  }
}

function setup() {
  const host = new FakeHost();
  const server = new FakeServer();
  const timers = new FakeTimers();
  return { host, server, timers, controller: new Controller(host, server, loadManifest(), timers) };
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

test("the real presets are offered, each writes every setting it names, the current one is marked", async () => {
  const { host, controller } = setup();
  const presets = loadManifest().wattcodeClient.budgetPresets;
  assert.deepEqual(
    presets.map((p) => p.label),
    ["Performance", "Balanced", "Saver"],
  );
  for (const preset of presets) {
    host.picks = [preset.label];
    await controller.chooseBudget();
    for (const [key, value] of Object.entries(preset.settings)) assert.equal(host.settings.get(key), value, key);
  }
  assert.deepEqual(host.infos, []); // never "no power budget presets"
  host.picks = [];
  await controller.chooseBudget();
  const offered = host.offered[host.offered.length - 1];
  assert.deepEqual(
    offered.map((i) => [i.label, i.description]),
    [
      ["Performance", undefined],
      ["Balanced", undefined],
      ["Saver", "current"],
    ],
  );
});

const PAUSED: PowerStatus = {
  tier: "ac",
  budgetWattHoursPerHour: 0.01,
  rung: 7,
  paused: true,
  exhausted: true,
  reserveJoules: -0.3,
  reserveCapacityJoules: 0.3,
  why: "budget spent: paused until the reserve is 25% full",
};
const NO_BUDGET: PowerStatus = { tier: "ac", budgetWattHoursPerHour: null, rung: 0, paused: false, exhausted: false };

test("a changed power setting shows the server's new budget state a moment later", async () => {
  const { host, server, timers, controller } = setup();
  controller.setServerState("running");
  controller.onStatus({ energyJoules: 2.5, power: NO_BUDGET });
  assert.deepEqual(timers.due(), []);
  server.answers["wattcode/stats"] = { requests: 1, power: { ...NO_BUDGET, budgetWattHoursPerHour: 3 } };
  controller.onPowerSettingsChanged();
  await timers.advance(400);
  controller.onPowerSettingsChanged(); // a preset writes several settings: one refresh, after the last
  assert.deepEqual(timers.due(), [POWER_REFRESH_MS]);
  // A status meanwhile (it may predate the change) keeps the refresh.
  controller.onStatus({ energyJoules: 3, power: NO_BUDGET });
  assert.deepEqual(timers.due(), [POWER_REFRESH_MS]);
  await timers.advance(POWER_REFRESH_MS);
  assert.deepEqual(server.requests, ["wattcode/stats"]);
  assert.equal(host.status?.text, "$(zap) 3.0 J · AC");
  assert.deepEqual(timers.due(), []);
});

test("a pause is shown until the reserve has refilled, then the bar says so without a new status", async () => {
  const { host, server, timers, controller } = setup();
  controller.setServerState("running");
  controller.onStatus({ energyJoules: 2.5, power: PAUSED });
  assert.equal(host.status?.text, "$(zap) 2.5 J · AC · paused");
  // From -0.3 J to 25 % of 0.3 J at 0.01 W: 37.5 s, and half a second more.
  assert.deepEqual(timers.due(), [38000]);
  server.answers["wattcode/stats"] = {
    power: { ...PAUSED, paused: false, exhausted: false, rung: 5, reserveJoules: 0.076 },
  };
  await timers.advance(38000);
  assert.equal(host.status?.text, "$(zap) 2.5 J · AC · saving");
  // Then once more when the reserve is full: back to full service.
  assert.equal(timers.due().length, 1);
  server.answers["wattcode/stats"] = {
    power: { ...PAUSED, paused: false, exhausted: false, rung: 0, reserveJoules: 0.3 },
  };
  await timers.advance(timers.due()[0]);
  assert.equal(host.status?.text, "$(zap) 2.5 J · AC");
  assert.deepEqual(timers.due(), []);
  assert.deepEqual(server.requests, ["wattcode/stats", "wattcode/stats"]);
});

test("the power refresh is quiet: no request while stopped, a failure only logged, dispose clears", async () => {
  const { host, server, timers, controller } = setup();
  controller.setServerState("running");
  controller.onStatus({ energyJoules: 1, power: PAUSED });
  server.up = false;
  await timers.advance(60000);
  assert.deepEqual(server.requests, []);
  server.up = true;
  controller.onPowerSettingsChanged();
  await timers.advance(POWER_REFRESH_MS); // no `wattcode/stats` answer: method not found
  assert.deepEqual(host.errors, []);
  assert.match(host.logs[0], /wattcode\/stats for the power state failed/);
  assert.equal(host.status?.text, "$(zap) 1.0 J · AC · paused");
  controller.onStatus({ energyJoules: 1, power: PAUSED });
  controller.onPowerSettingsChanged();
  assert.equal(timers.due().length, 2);
  controller.dispose();
  assert.deepEqual(timers.due(), []);
});

test("exclude this file: appends the workspace-relative path to the list in effect, once", async () => {
  const host = new FakeHost();
  const controller = new Controller(host, new FakeServer(), loadManifest());
  await controller.excludeFile();
  assert.deepEqual(host.workspaceWrites, []);
  assert.match(host.infos[0], /no file is open/);
  host.settings.set(EXCLUDE, [".env", "*.pem"]);
  host.active = "config/prod [1].yaml";
  await controller.excludeFile();
  await controller.excludeFile();
  assert.deepEqual(host.settings.get(EXCLUDE), [".env", "*.pem", "config/prod [[]1].yaml"]);
  assert.deepEqual(host.workspaceWrites, [EXCLUDE]);
});
