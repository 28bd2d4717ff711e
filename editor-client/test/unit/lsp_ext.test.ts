import assert from "node:assert/strict";
import { test } from "node:test";
import { CLEAR_CACHES, received, STATS, STATUS, type ClearCachesResult, type StatusParams } from "../../src/lsp_ext";

test("the custom methods' names, as the server registers them", () => {
  assert.deepEqual([STATUS, STATS, CLEAR_CACHES], ["wattcode/status", "wattcode/stats", "wattcode/clearCaches"]);
});

test("received: a JSON object passes, anything else is undefined", () => {
  const status = { energyJoules: 1.5, power: { tier: "solar" } };
  assert.equal(received<StatusParams>(status), status);
  assert.equal(received<StatusParams>(status)?.power?.tier, "solar"); // an unknown tier is kept
  for (const bad of [null, undefined, 3, "text", [1, 2], true]) {
    assert.equal(received<ClearCachesResult>(bad), undefined, JSON.stringify(bad));
  }
});
