// The status bar's text from the server's `wattcode/status` notification: pure, no `vscode`.

/** What the server sends; every field is optional here, so a partial message degrades. */
export interface StatusParams {
  energyJoules?: number;
  energyWattHours?: number;
  gramsCo2e?: number;
  savedJoulesEstimate?: number;
  method?: string;
  suggestions?: number;
  accepted?: number;
  joulesPerAcceptedChar?: number | null;
  idleWatts?: number | null;
  tier?: string;
  rung?: string | number;
  reason?: string;
}

export interface StatusView {
  text: string;
  tooltip: string;
}

const TIER_LABELS: Record<string, string> = { ac: "AC", battery: "battery", "low-battery": "low battery" };

function finite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Joules as a person reads them: mJ below one joule, Wh above an hour of one watt. */
export function formatEnergy(joules: number): string {
  if (joules >= 3600) return `${(joules / 3600).toFixed(2)} Wh`;
  if (joules >= 100) return `${joules.toFixed(0)} J`;
  if (joules >= 1) return `${joules.toFixed(1)} J`;
  if (joules > 0) return `${(joules * 1000).toFixed(0)} mJ`;
  return "0 J";
}

/** The language client's state, as far as the status bar tells it. */
export type ServerState = "starting" | "running" | "stopped";

export function statusView(
  params: StatusParams | undefined,
  enabled: boolean,
  server: ServerState = "running",
): StatusView {
  const off = enabled ? "" : " (off)";
  if (server === "starting") {
    return { text: "$(sync~spin) wattcode: starting", tooltip: "wattcode: starting the server. Click for the menu." };
  }
  if (server === "stopped") {
    return {
      text: "$(warning) wattcode: stopped",
      tooltip: "wattcode: the server is not running (see the wattcode output channel). Click for the menu.",
    };
  }
  if (!params || !finite(params.energyJoules)) {
    return {
      text: `$(zap) wattcode${off}`,
      tooltip: enabled ? "wattcode: no suggestion yet this session. Click for the menu." : "wattcode is disabled. Click for the menu.",
    };
  }
  const tier = typeof params.tier === "string" ? TIER_LABELS[params.tier] ?? params.tier : undefined;
  const text = `$(zap) ${formatEnergy(params.energyJoules)}${tier ? ` · ${tier}` : ""}${off}`;
  const lines = [`wattcode this session: ${formatEnergy(params.energyJoules)}`];
  if (finite(params.energyWattHours)) lines[0] += ` (${(params.energyWattHours * 1000).toFixed(3)} mWh)`;
  if (finite(params.gramsCo2e)) lines.push(`${params.gramsCo2e.toFixed(3)} gCO2e`);
  if (finite(params.suggestions)) {
    lines.push(`${params.suggestions} suggestions, ${finite(params.accepted) ? params.accepted : 0} accepted`);
  }
  if (finite(params.joulesPerAcceptedChar)) lines.push(`${formatEnergy(params.joulesPerAcceptedChar)} per accepted character`);
  if (finite(params.savedJoulesEstimate)) lines.push(`saved ≈ ${formatEnergy(params.savedJoulesEstimate)} (estimate)`);
  if (finite(params.idleWatts)) lines.push(`idle baseline ${params.idleWatts.toFixed(1)} W (not counted)`);
  if (tier) {
    let line = `power tier: ${tier}`;
    if (params.rung !== undefined) line += `, rung ${params.rung}`;
    if (typeof params.reason === "string" && params.reason) line += ` (${params.reason})`;
    lines.push(line);
  }
  if (typeof params.method === "string" && params.method) lines.push(params.method);
  lines.push("Click for the menu.");
  return { text, tooltip: lines.join("\n") };
}
