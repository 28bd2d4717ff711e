// The status bar's text from the server's `wattcode/status` notification: pure, no `vscode`.
import type { PowerStatus as WirePowerStatus, Received, StatusParams as WireStatusParams } from "./lsp_ext";

/** `power` as received in `wattcode/status` and `wattcode/stats` (lsp_ext.ts): any key may be
 * missing. */
export type PowerStatus = Received<WirePowerStatus>;

/** `wattcode/status` as received (lsp_ext.ts): every field is optional, so a partial message
 * degrades. */
export type StatusParams = Received<WireStatusParams>;

export interface StatusView {
  text: string;
  tooltip: string;
}

const TIER_LABELS: Record<string, string> = { ac: "AC", battery: "battery", lowBattery: "low battery" };

/** `pause` resumes once the reserve is this full again (the server's RESUME_FRACTION). */
const RESUME_FRACTION = 0.25;

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

function power(params: StatusParams | undefined): PowerStatus | undefined {
  const p = params?.power;
  return p && typeof p === "object" && !Array.isArray(p) ? p : undefined;
}

function budgetOf(p: PowerStatus): number | undefined {
  return finite(p.budgetWattHoursPerHour) && p.budgetWattHoursPerHour > 0 ? p.budgetWattHoursPerHour : undefined;
}

/** The budget's effect in a word or two: paused, budget spent, saving; "" at full service. */
function powerMarker(p: PowerStatus): string {
  if (p.paused === true) return "paused";
  if (p.exhausted === true) return "budget spent";
  if (finite(p.rung) && p.rung > 0) return "saving";
  return "";
}

/** The tooltip's power lines: the source, the budget, what it does now and why. */
function powerLines(p: PowerStatus): string[] {
  const tier = typeof p.tier === "string" ? (TIER_LABELS[p.tier] ?? p.tier) : "unknown source";
  const percent = p.battery && finite(p.battery.percent) ? ` (${p.battery.percent.toFixed(0)} %)` : "";
  const budget = budgetOf(p);
  const lines = [`power: ${tier}${percent}, ${budget ? `budget ${Number(budget.toPrecision(3))} Wh/h` : "no budget"}`];
  if (!budget) return lines;
  if (typeof p.why === "string" && p.why) lines.push(p.why);
  if (finite(p.spentWattHoursLastHour)) {
    const spent = formatEnergy(p.spentWattHoursLastHour * 3600);
    lines.push(`spent in the last hour: ${spent} of ${formatEnergy(budget * 3600)}`);
  }
  return lines;
}

/**
 * Seconds until the budget's state changes with no new work (the reserve refilling: a pause
 * ending, an empty reserve holding energy again, a cheaper rung climbing back to full service),
 * when the server sends no status for it; undefined when nothing is due.
 */
export function powerRecheckSeconds(params: StatusParams | undefined): number | undefined {
  const p = power(params);
  const budget = p && budgetOf(p);
  if (!p || !budget || !finite(p.reserveJoules) || !finite(p.reserveCapacityJoules)) return undefined;
  let target: number;
  if (p.paused === true) target = RESUME_FRACTION * p.reserveCapacityJoules;
  else if (p.exhausted === true) target = 0;
  else if (finite(p.rung) && p.rung > 0) target = p.reserveCapacityJoules;
  else return undefined;
  const seconds = (target - p.reserveJoules) / budget;
  if (!(seconds > 0)) return undefined; // already there: the next status tells
  return Math.min(600, Math.max(1, seconds + 0.5));
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
      tooltip: enabled
        ? "wattcode: no suggestion yet this session. Click for the menu."
        : "wattcode is disabled. Click for the menu.",
    };
  }
  // The power source and state only while a budget applies (or still restricts).
  const p = power(params);
  let suffix = "";
  if (p && (budgetOf(p) || powerMarker(p))) {
    const tier = typeof p.tier === "string" ? (TIER_LABELS[p.tier] ?? p.tier) : undefined;
    suffix = [tier, powerMarker(p)]
      .filter(Boolean)
      .map((part) => ` · ${part}`)
      .join("");
  }
  const text = `$(zap) ${formatEnergy(params.energyJoules)}${suffix}${off}`;
  const lines = [`wattcode this session: ${formatEnergy(params.energyJoules)}`];
  if (finite(params.energyWattHours)) lines[0] += ` (${(params.energyWattHours * 1000).toFixed(3)} mWh)`;
  if (finite(params.gramsCo2e)) lines.push(`${params.gramsCo2e.toFixed(3)} gCO2e`);
  if (finite(params.suggestions)) {
    lines.push(`${params.suggestions} suggestions, ${finite(params.accepted) ? params.accepted : 0} accepted`);
  }
  if (finite(params.joulesPerAcceptedChar))
    lines.push(`${formatEnergy(params.joulesPerAcceptedChar)} per accepted character`);
  if (finite(params.savedJoulesEstimate)) lines.push(`saved ≈ ${formatEnergy(params.savedJoulesEstimate)} (estimate)`);
  if (finite(params.idleWatts)) lines.push(`idle baseline ${params.idleWatts.toFixed(1)} W (not counted)`);
  if (p) lines.push(...powerLines(p));
  if (typeof params.method === "string" && params.method) lines.push(params.method);
  lines.push("Click for the menu.");
  return { text, tooltip: lines.join("\n") };
}
