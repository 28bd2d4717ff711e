// The extension's commands and status bar, over the Host and ServerLink interfaces. Behaviour
// lives in the server: this only writes settings, sends requests and shows their answers.
import { availablePresets, type Manifest } from "./config";
import type { Host, PickItem, ServerLink } from "./host";
import { statusView, type ServerState, type StatusParams } from "./status";

export const ENABLED = "wattcode.completion.enabled";
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

  constructor(
    private readonly host: Host,
    private readonly server: ServerLink,
    private readonly manifest: Manifest,
  ) {}

  enabled(): boolean {
    return this.host.getSetting(ENABLED) !== false;
  }

  /** A `wattcode/status` notification; anything that is not an object is ignored. */
  onStatus(params: unknown): void {
    if (params && typeof params === "object" && !Array.isArray(params)) {
      this.last = params as StatusParams;
    }
    this.render();
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

  private async ask(method: string): Promise<{ ok: true; result: unknown } | { ok: false }> {
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
    const answer = await this.ask("wattcode/stats");
    if (!answer.ok) return;
    const text = JSON.stringify(answer.result, null, 2);
    this.host.log(`wattcode/stats: ${text}`);
    await this.host.showDocument(text, "json");
  }

  async clearCaches(): Promise<void> {
    const answer = await this.ask("wattcode/clearCaches");
    if (!answer.ok) return;
    const r = (answer.result ?? {}) as { suggestions?: unknown; kvStates?: unknown };
    this.host.info(
      `wattcode: caches cleared (${Number(r.suggestions ?? 0)} suggestions, ${Number(r.kvStates ?? 0)} saved KV states).`,
    );
  }

  async chooseBudget(): Promise<void> {
    const presets = availablePresets(this.manifest);
    if (!presets.length) {
      this.host.info("wattcode: no power budget presets: this version has no wattcode.power settings yet.");
      return;
    }
    const items = presets.map((p, i) => ({ id: String(i), label: p.label, detail: p.detail }));
    const chosen = await this.host.pick(items, "Power budget for wattcode");
    if (!chosen) return;
    for (const [key, value] of Object.entries(presets[Number(chosen.id)].settings)) {
      await this.host.updateSetting(key, value);
    }
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
