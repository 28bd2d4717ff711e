// wattcode's custom LSP methods, typed once for the client: the method names and the payloads
// the server sends (docs/lsp-extensions.md; lsp_server/features/status.py, stats.py and
// clear_caches.py). Pure, no `vscode`: unit tests import it.

/** Server → client notification: the session's totals, for the status bar. */
export const STATUS = "wattcode/status";
/** Client → server request, no params: the session's counters, model, caches and power. */
export const STATS = "wattcode/stats";
/** Client → server request, no params: forget cached suggestions and parked KV states. */
export const CLEAR_CACHES = "wattcode/clearCaches";

/** The power budget's state: `power` in `wattcode/status` and in `wattcode/stats`. */
export interface PowerStatus {
  tier: "ac" | "battery" | "lowBattery";
  /** `percent` null: no battery. */
  battery: { percent: number | null; plugged: boolean };
  /** The current tier's budget (W = Wh per hour); null: no limit. */
  budgetWattHoursPerHour: number | null;
  /** 0 (full service) to 7, see docs/power.md. */
  rung: number;
  /** e.g. "no-background-work". */
  rungName: string;
  /** e.g. "no background work". */
  rungLabel: string;
  paused: boolean;
  exhausted: boolean;
  reserveJoules: number;
  reserveCapacityJoules: number;
  spentWattHoursLastHour: number;
  /** While automatic requests are refused: seconds until the budget lets them run; else null. */
  resumesInSeconds: number | null;
  /** The governor's reason, for people. */
  why: string;
}

/** `wattcode/status` params (camelCase). */
export interface StatusParams {
  energyJoules: number;
  energyWattHours: number;
  gramsCo2e: number;
  savedJoulesEstimate: number;
  /** "measured: …" or "estimated: …". */
  method: string;
  suggestions: number;
  accepted: number;
  /** null before the first acceptance. */
  joulesPerAcceptedChar: number | null;
  /** null until measured; never for the CPU-time estimate. */
  idleWatts: number | null;
  power: PowerStatus;
}

/** One rung of the power governor's ladder, in `wattcode/stats`' `power.ladder`. */
export interface LadderRung {
  rung: number;
  name: string;
  label: string;
  savedJoulesPerRequestEstimate: number;
}

/** `wattcode/stats`' energy details (for the bench). */
export interface EnergyDetails {
  /** Joules per meter. */
  by_meter: Record<string, number>;
  /** Raw counter deltas inside generation windows. */
  counter_joules: Record<string, number>;
  window_seconds: number;
  tail_joules: number;
  /** The idle floor; null until measured. */
  idle_watts: number | null;
  idle_joules: number;
  joules_per_prompt_token: number | null;
  accepted: number;
  accepted_chars: number;
  grid_grams_per_kwh: number;
  /** "setting", "OWID 2023 (FR)", "OWID/Ember 2023 world average". */
  grid_source: string;
}

/** `wattcode/stats`' model state. */
export interface ModelState {
  /** "unloaded": by the power governor. */
  state: "not loaded" | "loading" | "ready" | "failed" | "unloaded";
  /** wattcode's name for a model it knows (size, quantization); else the file's name. */
  name: string;
  path: string;
  /** Why this model: the setting that chose it; for preset `auto`, the measurements. */
  why: string;
  error: string | null;
  load_seconds: number;
  /** The remote server's URL (no credentials), if one is set. */
  remote: string | null;
  /** Why its last request failed; null once it answers again. */
  remote_error: string | null;
}

/** `wattcode/stats`' cache counters. */
export interface CacheCounters {
  suggestion_lookups: number;
  suggestion_hits: number;
  suggestion_entries: number;
  suggestion_bytes: number;
  kv_states: number;
  kv_state_bytes: number;
  kv_state_limit_bytes: number;
  kv_states_saved: number;
  kv_states_restored: number;
  kv_states_evicted: number;
  kv_states_on_disk: number;
  kv_state_disk_bytes: number;
  kv_states_loaded_from_disk: number;
}

/** `wattcode/stats` result: the session's cumulative counters (snake_case, except inside
 * `power`); what each one counts is in docs/lsp-extensions.md. Floats where noted. */
export interface StatsResult {
  // Requests and generations
  requests: number;
  suggestions: number;
  suggestion_cache_hits: number;
  generations_started: number;
  generations_cancelled: number;
  generations_not_started: number;
  generations_completed: number;
  generations_failed: number;
  generations_time_limited: number;
  results_dropped_outdated: number;
  // Model work
  prompt_tokens_evaluated: number;
  prompt_tokens_reused: number;
  generated_tokens: number;
  /** Float, as the next five. */
  cpu_seconds: number;
  prompt_seconds: number;
  decode_seconds: number;
  context_seconds: number;
  guard_seconds: number;
  guard_indentation: number;
  guard_complete_lines: number;
  guard_syntax: number;
  // Request gating
  requests_skipped: number;
  requests_skipped_comment_or_string: number;
  requests_skipped_mid_word: number;
  requests_skipped_word_start: number;
  requests_skipped_after_space: number;
  requests_skipped_after_deletion: number;
  requests_skipped_indenting: number;
  requests_skipped_inside_word: number;
  skipped_answered_after_pause: number;
  warmups_started: number;
  prompt_tokens_warmed: number;
  // Power budget
  requests_debounced: number;
  requests_inside_word: number;
  requests_refused_paused: number;
  requests_refused_manual_only: number;
  model_unloads: number;
  model_wakes: number;
  /** Float. */
  wake_seconds: number;
  // Energy
  energy_joules: number;
  energy_method: string;
  saved_joules_estimate: number;
  background_joules: number;
  grams_co2e: number;
  energy: EnergyDetails;

  model: ModelState;
  caches: CacheCounters;
  power: PowerStatus & { ladder: LadderRung[] };
  uptime_seconds: number;
  /** Requests and notifications whose handlers have not finished: near 0 when idle. */
  handlers_pending: number;
}

/** `wattcode/clearCaches` result: what was dropped. */
export interface ClearCachesResult {
  /** Cached suggestions dropped. */
  suggestions: number;
  /** Saved KV states dropped. */
  kvStates: number;
}

/** The custom requests (no params) and their results. */
export interface Requests {
  [STATS]: StatsResult;
  [CLEAR_CACHES]: ClearCachesResult;
}
export type RequestMethod = keyof Requests;

/** The custom notifications from the server and their params. */
export interface Notifications {
  [STATUS]: StatusParams;
}

/**
 * A payload as a client may receive it: an older or a newer server can leave any key out, and a
 * newer one can send a value this client does not know, so every key is optional and string
 * choices are open. Read each field with a check; a partial message degrades, never throws.
 */
export type Received<T> = T extends string
  ? string
  : T extends readonly (infer E)[]
    ? Received<E>[]
    : T extends object
      ? { [K in keyof T]?: Received<T[K]> }
      : T;

/** `value` as a received payload when it is a JSON object; undefined for anything else. */
export function received<T>(value: unknown): Received<T> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Received<T>) : undefined;
}
