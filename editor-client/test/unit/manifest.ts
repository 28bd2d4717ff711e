// package.json as the tests see it (from the source tree, whatever the build's layout).
import * as fs from "node:fs";
import * as path from "node:path";
import type { Manifest } from "../../src/config";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export function loadManifest(): Manifest & Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Manifest & Record<string, unknown>;
}
