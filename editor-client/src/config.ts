// Settings and the server command: pure functions, no `vscode` (unit-tested in plain Node).
import * as path from "node:path";

/** The parts of package.json this client reads: its own settings and the budget presets. */
export interface Manifest {
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
  wattcodeClient: { clientOnlySettings: string[]; budgetPresets: BudgetPreset[] };
}

export interface BudgetPreset {
  label: string;
  detail?: string;
  /** Full setting names (`wattcode.power.…`) and the values the preset writes. */
  settings: Record<string, unknown>;
}

export const SECTION = "wattcode";

/**
 * The `wattcode` section as the server should see it: without the client-only settings
 * (the server command, the trace level), which the server would only log as unknown.
 */
export function serverSettings(section: unknown, clientOnly: readonly string[]): Record<string, unknown> {
  if (!section || typeof section !== "object" || Array.isArray(section)) return {};
  const drop = new Set(clientOnly.map((key) => key.slice(SECTION.length + 1)));
  return strip(section as Record<string, unknown>, "", drop);
}

function strip(obj: Record<string, unknown>, prefix: string, drop: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const dotted = prefix + key;
    if (drop.has(dotted)) continue;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const inner = strip(value as Record<string, unknown>, dotted + ".", drop);
      if (Object.keys(inner).length) out[key] = inner;
    } else {
      out[key] = value;
    }
  }
  return out;
}

export interface CommandSettings {
  command: unknown;
  pythonEnvironment: unknown;
}

export interface Environment {
  PATH?: string;
  platform: NodeJS.Platform;
  isExecutable(file: string): boolean;
}

export type ResolvedCommand = { ok: true; command: string; args: string[] } | { ok: false; message: string };

const HOW_TO_INSTALL =
  "Install it (`pipx install wattcode`) or set `wattcode.server.command` or `wattcode.server.pythonEnvironment`.";

/**
 * Which program starts the server: the configured command, else `wattcode serve` from the
 * configured Python environment, else from PATH. A clear message when none is found.
 */
export function resolveServerCommand(settings: CommandSettings, env: Environment): ResolvedCommand {
  const exe = env.platform === "win32" ? "wattcode.exe" : "wattcode";
  const { command, pythonEnvironment } = settings;
  if (Array.isArray(command) && command.length > 0) {
    if (!command.every((part) => typeof part === "string" && part.length > 0)) {
      return { ok: false, message: "wattcode.server.command must be a list of non-empty strings." };
    }
    const [program, ...args] = command as string[];
    const found = findProgram(program, env);
    if (!found) {
      return { ok: false, message: `wattcode.server.command: '${program}' was not found or is not executable.` };
    }
    return { ok: true, command: found, args };
  }
  if (typeof pythonEnvironment === "string" && pythonEnvironment.trim()) {
    const bin = env.platform === "win32" ? "Scripts" : "bin";
    const candidate = path.join(pythonEnvironment.trim(), bin, exe);
    if (env.isExecutable(candidate)) return { ok: true, command: candidate, args: ["serve"] };
    return {
      ok: false,
      message: `wattcode is not installed in the Python environment ${pythonEnvironment} (no ${candidate}). ${HOW_TO_INSTALL}`,
    };
  }
  const found = findProgram(exe, env);
  if (found) return { ok: true, command: found, args: ["serve"] };
  return { ok: false, message: `The \`wattcode\` command was not found on PATH. ${HOW_TO_INSTALL}` };
}

function findProgram(program: string, env: Environment): string | undefined {
  if (program.includes("/") || program.includes("\\")) {
    return env.isExecutable(program) ? program : undefined;
  }
  const sep = env.platform === "win32" ? ";" : ":";
  for (const dir of (env.PATH ?? "").split(sep)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    if (env.isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A file path as a `wattcode.exclude` pattern that matches only that path: glob characters
 * are put in classes, and a leading `!` escaped (it would re-include). */
export function literalPattern(file: string): string {
  const escaped = file.replace(/[*?[]/g, (c) => `[${c}]`);
  return escaped.startsWith("!") ? `\\${escaped}` : escaped;
}

/** The presets whose every setting this extension contributes (others cannot be written). */
export function availablePresets(manifest: Manifest): BudgetPreset[] {
  const known = manifest.contributes.configuration.properties;
  return manifest.wattcodeClient.budgetPresets.filter((preset) =>
    Object.keys(preset.settings).every((key) => key in known),
  );
}
