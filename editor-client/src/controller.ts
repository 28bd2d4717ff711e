// The extension's commands and status bar, over the Host and ServerLink interfaces. Behaviour
// lives in the server: this only writes settings, sends requests and shows their answers.
import { availablePresets, literalPattern, type Manifest } from "./config";
import type { Host, PickItem, ServerLink } from "./host";
import {
  CLEAR_CACHES,
  received,
  STATS,
  type ClearCachesResult,
  type PowerStatus,
  type RequestMethod,
  type StatsResult,
  type StatusParams as WireStatusParams,
} from "./lsp_ext";
import { powerRecheckSeconds, statusView, type ServerState, type StatusParams } from "./status";

export const ENABLED = "wattcode.completion.enabled";
export const EXCLUDE = "wattcode.exclude";
/** After a `wattcode.power.*` change, the server's new budget state is asked for this late: the
 * server applies settings after pulling them back from the client, and sends no status for it. */
export const POWER_REFRESH_MS = 1000;

/** setTimeout and clearTimeout, injectable so that unit tests run the clock. */
export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
const METHOD_NOT_FOUND = -32601;

function isMethodNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === METHOD_NOT_FOUND;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Controller {
  private last: StatusParams | undefined;
  private serverState: ServerState = "starting";
  private recheckTimer: unknown;
  private settingsTimer: unknown;

  constructor(
    private readonly host: Host,
    private readonly server: ServerLink,
    private readonly manifest: Manifest,
    private readonly timers: Timers = REAL_TIMERS,
  ) {}

  enabled(): boolean {
    return this.host.getSetting(ENABLED) !== false;
  }

  /** A `wattcode/status` notification; anything that is not an object is ignored. */
  onStatus(params: unknown): void {
    const status = received<WireStatusParams>(params);
    if (status) this.last = status;
    this.render();
    this.schedulePowerRecheck(powerRecheckSeconds(this.last));
  }

  /** A `wattcode.power.*` setting changed: show the server's new budget state soon (a preset
   * writes several settings: one refresh, after the last). */
  onPowerSettingsChanged(): void {
    if (this.settingsTimer !== undefined) this.timers.clear(this.settingsTimer);
    this.settingsTimer = this.timers.set(() => {
      this.settingsTimer = undefined;
      void this.refreshPower();
    }, POWER_REFRESH_MS);
  }

  /**
   * The server sends `wattcode/status` when energy is spent, not when the reserve has refilled
   * by itself (a pause over): for that, one quiet `wattcode/stats` when it is due, whose
   * `power` replaces the shown one. Each status or refresh replaces the one pending.
   */
  private schedulePowerRecheck(seconds: number | undefined): void {
    if (this.recheckTimer !== undefined) this.timers.clear(this.recheckTimer);
    this.recheckTimer = undefined;
    if (seconds === undefined) return;
    this.recheckTimer = this.timers.set(() => {
      this.recheckTimer = undefined;
      void this.refreshPower();
    }, seconds * 1000);
  }

  async refreshPower(): Promise<void> {
    if (!this.server.running()) return;
    let result: unknown;
    try {
      result = await this.server.request(STATS);
    } catch (err) {
      this.host.log(`wattcode/stats for the power state failed: ${describe(err)}`);
      return;
    }
    const power = received<PowerStatus>(received<StatsResult>(result)?.power);
    if (!power) return;
    this.last = { ...(this.last ?? {}), power };
    this.render();
    this.schedulePowerRecheck(powerRecheckSeconds(this.last));
  }

  dispose(): void {
    this.schedulePowerRecheck(undefined);
    if (this.settingsTimer !== undefined) this.timers.clear(this.settingsTimer);
    this.settingsTimer = undefined;
  }

  render(): void {
    this.host.setStatus(statusView(this.last, this.enabled(), this.serverState));
  }

  setServerState(state: ServerState): void {
    this.serverState = state;
    this.render();
  }

  async setEnabled(on: boolean): Promise<void> {
    await this.host.updateSetting(ENABLED, on);
    this.render();
  }

  toggle(): Promise<void> {
    return this.setEnabled(!this.enabled());
  }

  async triggerSuggestion(): Promise<void> {
    await this.host.executeCommand("editor.action.inlineSuggest.trigger");
  }

  private async ask(method: RequestMethod): Promise<{ ok: true; result: unknown } | { ok: false }> {
    if (!this.server.running()) {
      this.host.error("wattcode: the server is not running (see the wattcode output channel).");
      return { ok: false };
    }
    try {
      return { ok: true, result: await this.server.request(method) };
    } catch (err) {
      const why = isMethodNotFound(err) ? "this wattcode server does not support it; update wattcode" : describe(err);
      this.host.error(`wattcode: ${method} failed: ${why}`);
      return { ok: false };
    }
  }

  async showStats(): Promise<void> {
    const answer = await this.ask(STATS);
    if (!answer.ok) return;
    const text = JSON.stringify(answer.result, null, 2);
    this.host.log(`wattcode/stats: ${text}`);
    await this.host.showDocument(text, "json");
  }

  async clearCaches(): Promise<void> {
    const answer = await this.ask(CLEAR_CACHES);
    if (!answer.ok) return;
    const r = received<ClearCachesResult>(answer.result) ?? {};
    this.host.info(
      `wattcode: caches cleared (${Number(r.suggestions ?? 0)} suggestions, ${Number(r.kvStates ?? 0)} saved KV states).`,
    );
  }

  async chooseBudget(): Promise<void> {
    const presets = availablePresets(this.manifest);
    if (!presets.length) {
      this.host.info("wattcode: no power budget presets: this version has no wattcode.power settings.");
      return;
    }
    const current = (settings: Record<string, unknown>) =>
      Object.entries(settings).every(([key, value]) => (this.host.getSetting(key) ?? null) === value);
    const items = presets.map((p, i) => ({
      id: String(i),
      label: p.label,
      description: current(p.settings) ? "current" : undefined,
      detail: p.detail,
    }));
    const chosen = await this.host.pick(items, "Power budget for wattcode");
    if (!chosen) return;
    for (const [key, value] of Object.entries(presets[Number(chosen.id)].settings)) {
      await this.host.updateSetting(key, value);
    }
  }

  /** Append the active file to `wattcode.exclude` in the workspace settings (the list in
   * effect, defaults included, since a workspace value replaces the whole list). */
  async excludeFile(): Promise<void> {
    const file = this.host.activeFile();
    if (!file) {
      this.host.info("wattcode: no file is open to exclude.");
      return;
    }
    const pattern = literalPattern(file);
    const current = this.host.getSetting(EXCLUDE);
    const patterns = Array.isArray(current) ? current.filter((p): p is string => typeof p === "string") : [];
    if (!patterns.includes(pattern)) await this.host.updateWorkspaceSetting(EXCLUDE, [...patterns, pattern]);
    this.host.info(`wattcode: ${file} is excluded: no suggestions in it, never part of a prompt.`);
  }

  async menu(): Promise<void> {
    const items: PickItem[] = [
      { id: "toggle", label: this.enabled() ? "Disable suggestions" : "Enable suggestions" },
      { id: "budget", label: "Choose a power budget…" },
      { id: "stats", label: "Show session statistics" },
      { id: "clear", label: "Clear caches" },
      { id: "log", label: "Show the log" },
    ];
    const chosen = await this.host.pick(items, "wattcode");
    switch (chosen?.id) {
      case "toggle":
        return this.toggle();
      case "budget":
        return this.chooseBudget();
      case "stats":
        return this.showStats();
      case "clear":
        return this.clearCaches();
      case "log":
        return this.host.showLog();
    }
  }
}
