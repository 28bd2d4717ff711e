// package.json against the code: every contributed command is registered, every setting typed
// and described, every client-only setting contributed. (Server settings: tests/unit in Python.)
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { loadManifest, ROOT } from "./manifest";

test("every contributed command is registered in extension.ts and vice versa", () => {
  const source = fs.readFileSync(path.join(ROOT, "src", "extension.ts"), "utf8");
  const registered = [...source.matchAll(/command\("(wattcode\.[A-Za-z]+)"/g)].map((m) => m[1]).sort();
  const manifest = loadManifest();
  const { commands } = manifest.contributes as typeof manifest.contributes & { commands: { command: string }[] };
  const contributed = commands.map((c) => c.command).sort();
  assert.deepEqual(registered, contributed);
});

test("every setting has a type, a default and a description; client-only ones exist", () => {
  const manifest = loadManifest();
  const props = manifest.contributes.configuration.properties as Record<string, Record<string, unknown>>;
  for (const [key, prop] of Object.entries(props)) {
    assert.ok(key.startsWith("wattcode."), key);
    assert.ok(prop.type, `${key} has no type`);
    assert.ok("default" in prop, `${key} has no default`);
    assert.ok(prop.markdownDescription || prop.description, `${key} has no description`);
  }
  for (const key of manifest.wattcodeClient.clientOnlySettings) assert.ok(key in props, key);
  assert.equal(props["wattcode.trace.server"].default, "off");
});
