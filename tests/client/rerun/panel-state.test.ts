import { describe, expect, it } from "vitest";
import { INITIAL_PANEL_STATE, isBusy, isCancelling, isTraining, transition, type PanelEvent, type PanelState } from "../../../src/client/rerun/panel-state.ts";
import type { QueuePhase } from "../../../src/client/rerun/run-queue.ts";

/** Apply events in order from `state` (the initial state by default). */
function run(events: PanelEvent[], state: PanelState = INITIAL_PANEL_STATE): PanelState {
  return events.reduce((s, event) => transition(s, event).state, state);
}

const phase = (p: QueuePhase): PanelEvent => ({ type: "phase", phase: p });
const request = (...rows: string[]): PanelEvent => ({ type: "request", rows });

describe("rerun panel state", () => {
  it("starts idle, with the queue idle underneath", () => {
    expect(INITIAL_PANEL_STATE).toEqual({ kind: "idle", phase: "idle" });
  });

  it("opens the choice on a request when no run is in progress, and asks for it to be filled", () => {
    const rows = ["cnn-32-64-3-64"];
    const next = transition(INITIAL_PANEL_STATE, { type: "request", rows });
    expect(next.state).toEqual({ kind: "choosing", rows, phase: "idle" });
    expect(next.effect).toEqual({ type: "choose", rows });
  });

  it("replaces the rows being chosen on a further request", () => {
    const next = transition(run([request("a")]), request("b", "c"));
    expect(next.state).toMatchObject({ kind: "choosing", rows: ["b", "c"] });
    expect(next.effect).toEqual({ type: "choose", rows: ["b", "c"] });
  });

  it("keeps the outcome of the latest run underneath the choice", () => {
    const finished = run([phase("starting"), phase("running"), phase("finished")]);
    expect(transition(finished, request("a")).state).toEqual({ kind: "choosing", rows: ["a"], phase: "finished" });
  });

  it("queues the chosen rows on Start and leaves the choice", () => {
    const next = transition(run([request("a", "b")]), { type: "start" });
    expect(next.state).toEqual(INITIAL_PANEL_STATE);
    expect(next.effect).toEqual({ type: "enqueue", rows: ["a", "b"] });
  });

  it("gives the phase underneath back when the choice is closed, queuing nothing", () => {
    const failed = run([phase("starting"), phase("failed")]);
    const next = transition(run([request("a")], failed), { type: "close" });
    expect(next.state).toEqual({ kind: "failed", phase: "failed" });
    expect(next.effect).toBeNull();
  });

  it("ignores Start and close when no choice is showing", () => {
    for (const type of ["start", "close"] as const) {
      const next = transition(INITIAL_PANEL_STATE, { type });
      expect(next.state).toBe(INITIAL_PANEL_STATE);
      expect(next.effect).toBeNull();
    }
  });

  it("queues a request during a run without opening the choice", () => {
    const running = run([phase("starting")]);
    const next = transition(running, request("b"));
    expect(next.state).toBe(running);
    expect(next.effect).toEqual({ type: "enqueue", rows: ["b"] });
  });

  it("is running from the request to the outcome, whatever the queue's phase in between", () => {
    const kinds = (["starting", "running", "cancelling", "cancelled"] as const).map((p) => run([phase("starting"), phase("running"), phase(p)]).kind);
    expect(kinds).toEqual(["running", "running", "running", "cancelled"]);
    expect(run([phase("starting")])).toEqual({ kind: "running", phase: "starting", training: false });
  });

  it("ends in the outcome, with the queue's phase alike", () => {
    for (const outcome of ["finished", "cancelled", "failed"] as const)
      expect(run([phase("starting"), phase(outcome)])).toEqual({ kind: outcome, phase: outcome });
  });

  it("shows progress from the run's preparation until the trainer answers", () => {
    const prepared = run([phase("starting"), { type: "prepared" }, phase("running")]);
    expect(isTraining(prepared)).toBe(true);
    expect(isTraining(transition(prepared, { type: "answered" }).state)).toBe(false);
    // Still running until the outcome reaches the queue (the result is shown and saved meanwhile).
    expect(isBusy(transition(prepared, { type: "answered" }).state)).toBe(true);
  });

  it("ignores the progress flags outside a run", () => {
    for (const type of ["prepared", "answered"] as const) expect(transition(INITIAL_PANEL_STATE, { type }).state).toBe(INITIAL_PANEL_STATE);
  });

  it("keeps a new run's progress hidden until it is prepared", () => {
    const next = run([phase("starting"), { type: "prepared" }, { type: "answered" }, phase("finished"), phase("starting")]);
    expect(next).toEqual({ kind: "running", phase: "starting", training: false });
  });

  it("knows a Cancel is pending until the outcome, so that a late one can be told apart", () => {
    const cancelling = run([phase("starting"), { type: "prepared" }, phase("running"), phase("cancelling"), { type: "answered" }]);
    expect(isCancelling(cancelling)).toBe(true);
    expect(isCancelling(transition(cancelling, phase("finished")).state)).toBe(false);
  });

  it("keeps the choice over a resting phase, and gives way to a run that starts anyway", () => {
    const choosing = run([phase("starting"), phase("failed"), request("a")]);
    expect(transition(choosing, phase("idle")).state).toMatchObject({ kind: "choosing", phase: "idle" });
    expect(transition(choosing, phase("starting")).state).toEqual({ kind: "running", phase: "starting", training: false });
  });

  it("returns the same state, with no effect, for a phase it already shows", () => {
    const running = run([phase("starting")]);
    expect(transition(running, phase("starting"))).toEqual({ state: running, effect: null });
  });
});
