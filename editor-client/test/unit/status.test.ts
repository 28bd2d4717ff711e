import assert from "node:assert/strict";
import { test } from "node:test";
import { formatEnergy, statusView } from "../../src/status";

const STATUS = {
  energyJoules: 12.34,
  energyWattHours: 12.34 / 3600,
  gramsCo2e: 0.0016,
  savedJoulesEstimate: 40,
  method: "estimated: CPU time × 7.5 W/core",
  suggestions: 9,
  accepted: 2,
  joulesPerAcceptedChar: 0.5,
  idleWatts: null,
};

test("before the first status: the name, and (off) when disabled", () => {
  assert.equal(statusView(undefined, true).text, "$(zap) wattcode");
  assert.equal(statusView(undefined, false).text, "$(zap) wattcode (off)");
  assert.equal(statusView({ method: "x" }, true).text, "$(zap) wattcode");
});

test("the session energy, its tooltip, and the tier when the server sends one", () => {
  const view = statusView(STATUS, true);
  assert.equal(view.text, "$(zap) 12.3 J");
  assert.match(view.tooltip, /9 suggestions, 2 accepted/);
  assert.match(view.tooltip, /saved ≈ 40\.0 J \(estimate\)/);
  assert.match(view.tooltip, /estimated: CPU time/);
  assert.doesNotMatch(view.tooltip, /idle/);
  const tiered = statusView({ ...STATUS, tier: "low-battery", rung: 2, reason: "battery at 12 %" }, true);
  assert.equal(tiered.text, "$(zap) 12.3 J · low battery");
  assert.match(tiered.tooltip, /power tier: low battery, rung 2 \(battery at 12 %\)/);
});

test("energy units", () => {
  assert.equal(formatEnergy(0), "0 J");
  assert.equal(formatEnergy(0.042), "42 mJ");
  assert.equal(formatEnergy(3.21), "3.2 J");
  assert.equal(formatEnergy(250), "250 J");
  assert.equal(formatEnergy(7200), "2.00 Wh");
});
