import assert from "node:assert/strict";
import { test } from "node:test";
import { formatEnergy, powerRecheckSeconds, statusView, type PowerStatus } from "../../src/status";

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

test("the session energy and its tooltip", () => {
  const view = statusView(STATUS, true);
  assert.equal(view.text, "$(zap) 12.3 J");
  assert.match(view.tooltip, /9 suggestions, 2 accepted/);
  assert.match(view.tooltip, /saved ≈ 40\.0 J \(estimate\)/);
  assert.match(view.tooltip, /estimated: CPU time/);
  assert.doesNotMatch(view.tooltip, /idle/);
  assert.doesNotMatch(view.tooltip, /power:/);
});

/** `power` as the server sends it: mains, no budget, full service. */
const NO_BUDGET: PowerStatus = {
  tier: "ac",
  battery: { percent: null, plugged: true },
  budgetWattHoursPerHour: null,
  rung: 0,
  rungName: "full",
  rungLabel: "full service",
  paused: false,
  exhausted: false,
  reserveJoules: 0,
  reserveCapacityJoules: 0,
  spentWattHoursLastHour: 0.0012,
  why: "no power budget",
};

test("no budget: no power in the text, the source in the tooltip", () => {
  const view = statusView({ ...STATUS, power: NO_BUDGET }, true);
  assert.equal(view.text, "$(zap) 12.3 J");
  assert.match(view.tooltip, /^power: AC, no budget$/m);
  const onBattery = { ...NO_BUDGET, tier: "battery", battery: { percent: 54.4, plugged: false } };
  const battery = statusView({ ...STATUS, power: onBattery }, true);
  assert.equal(battery.text, "$(zap) 12.3 J");
  assert.match(battery.tooltip, /^power: battery \(54 %\), no budget$/m);
});

test("a budget: the tier in the text; why, the budget and the hour's spending in the tooltip", () => {
  const within: PowerStatus = {
    ...NO_BUDGET,
    tier: "battery",
    budgetWattHoursPerHour: 6,
    reserveJoules: 180,
    reserveCapacityJoules: 180,
    why: "within budget (reserve 100% of 180 J)",
  };
  const view = statusView({ ...STATUS, power: within }, true);
  assert.equal(view.text, "$(zap) 12.3 J · battery");
  assert.match(view.tooltip, /^power: battery, budget 6 Wh\/h$/m);
  assert.match(view.tooltip, /^within budget \(reserve 100% of 180 J\)$/m);
  assert.match(view.tooltip, /^spent in the last hour: 4\.3 J of 6\.00 Wh$/m);
  assert.equal(statusView({ ...STATUS, power: within }, false).text, "$(zap) 12.3 J · battery (off)");

  const saving = { ...within, tier: "lowBattery", rung: 3, why: "saving power: single lines of at most 16 tokens" };
  assert.equal(statusView({ ...STATUS, power: saving }, true).text, "$(zap) 12.3 J · low battery · saving");
  const spent = { ...within, rung: 5, exhausted: true, why: "budget spent (reserve 0% of 180 J): eco" };
  assert.equal(statusView({ ...STATUS, power: spent }, true).text, "$(zap) 12.3 J · battery · budget spent");
  const paused: PowerStatus = {
    ...within,
    tier: "ac",
    budgetWattHoursPerHour: 0.01,
    rung: 7,
    paused: true,
    exhausted: true,
    reserveJoules: -0.3,
    reserveCapacityJoules: 0.3,
    why: "budget spent: paused until the reserve is 25% full (reserve 0% of 0 J)",
  };
  const view2 = statusView({ ...STATUS, power: paused }, true);
  assert.equal(view2.text, "$(zap) 12.3 J · AC · paused");
  assert.match(view2.tooltip, /^power: AC, budget 0\.01 Wh\/h$/m);
  assert.match(view2.tooltip, /^budget spent: paused until the reserve is 25% full/m);
});

test("a malformed power part degrades to no power state", () => {
  for (const power of [null, "x", [], {}, { budgetWattHoursPerHour: "6", paused: "yes", rung: "2" }]) {
    assert.equal(statusView({ ...STATUS, power: power as PowerStatus }, true).text, "$(zap) 12.3 J");
  }
});

test("when the reserve will have refilled: a pause's end, an empty reserve's first joule, full service", () => {
  const base: PowerStatus = { ...NO_BUDGET, budgetWattHoursPerHour: 2, reserveCapacityJoules: 60 };
  assert.equal(powerRecheckSeconds(undefined), undefined);
  assert.equal(powerRecheckSeconds({ power: NO_BUDGET }), undefined);
  assert.equal(powerRecheckSeconds({ power: { ...base, reserveJoules: 60 } }), undefined);
  // Paused at -60 J: 25 % of 60 J is 15 J, 75 J away at 2 W.
  const paused = { ...base, rung: 7, paused: true, exhausted: true, reserveJoules: -60 };
  assert.equal(powerRecheckSeconds({ power: paused }), 38);
  // Exhausted (eco) at -1 J: 0.5 s, at least 1 s.
  assert.equal(powerRecheckSeconds({ power: { ...base, rung: 5, exhausted: true, reserveJoules: -1 } }), 1);
  // A cheaper rung at 20 J: full in 20 s.
  assert.equal(powerRecheckSeconds({ power: { ...base, rung: 2, reserveJoules: 20 } }), 20.5);
  // Already at the target (the next status tells), and never more than 10 minutes.
  assert.equal(powerRecheckSeconds({ power: { ...base, rung: 2, reserveJoules: 60 } }), undefined);
  const slow = { ...base, budgetWattHoursPerHour: 0.01, reserveCapacityJoules: 1000 };
  assert.equal(powerRecheckSeconds({ power: { ...slow, rung: 1, reserveJoules: 0 } }), 600);
});

test("energy units", () => {
  assert.equal(formatEnergy(0), "0 J");
  assert.equal(formatEnergy(0.042), "42 mJ");
  assert.equal(formatEnergy(3.21), "3.2 J");
  assert.equal(formatEnergy(250), "250 J");
  assert.equal(formatEnergy(7200), "2.00 Wh");
});
