/**
 * The rerun panel's state, without any DOM: whether the reader is choosing how to run, and where
 * the run lifecycle is. `transition` is the pure state machine; src/client/rerun-panel.ts keeps
 * the one current state and carries out the effects, and the view (panel-view.ts `render`)
 * reflects it as `data-state` (the state's `kind`), `data-phase` and `data-choosing`.
 *
 *   idle | finished | cancelled | failed ──request──▶ choosing ──start──▶ running ──outcome──▶ finished | cancelled | failed
 *                    ▲                                    │
 *                    └──────────────close─────────────────┘      running ──request──▶ running (the rows are queued)
 *
 * The lifecycle phases themselves come from the run queue (run-queue.ts), which decides what runs
 * next; the panel only follows them through `phase` events.
 */
import { isActive, type OutcomeStatus, type QueuePhase } from "./run-queue.ts";

/** A phase in which a run is in progress (the trainer is busy or about to be). */
export type ActivePhase = "starting" | "running" | "cancelling";

/** A phase with no run in progress: before any run, or the outcome of the latest. */
export type RestingPhase = "idle" | OutcomeStatus;

/**
 * What the panel is showing. `kind` is the panel's `data-state`; `phase` is the run queue's phase
 * (`data-phase`), which the choice keeps underneath while it shows.
 */
export type PanelState =
  /** Before any run, with no choice showing. */
  | { readonly kind: "idle"; readonly phase: "idle" }
  /** The choice of preset and backend for `rows`; nothing trains until Start. */
  | { readonly kind: "choosing"; readonly rows: readonly string[]; readonly phase: RestingPhase }
  /**
   * From the request to the outcome. `training`: the run's view is ready and its progress is shown
   * (false before that, and once the trainer has answered: later progress is stale).
   */
  | { readonly kind: "running"; readonly phase: ActivePhase; readonly training: boolean }
  /** The outcome of the latest run. */
  | { readonly kind: OutcomeStatus; readonly phase: OutcomeStatus };

/** What can happen to the panel. */
export type PanelEvent =
  /** Rerun pressed on known rows (one row, or a table's "Rerun all"). */
  | { type: "request"; rows: readonly string[] }
  /** Start pressed (or Enter in the settings) while choosing. */
  | { type: "start" }
  /** The panel was closed (close button or Escape), not minimised. */
  | { type: "close" }
  /** The run queue moved to `phase`. */
  | { type: "phase"; phase: QueuePhase }
  /** The run's view is reset: its progress is shown from now on. */
  | { type: "prepared" }
  /** The trainer answered: progress still on its way is dropped. */
  | { type: "answered" };

/** What the wiring must do after a transition, if anything. */
export type PanelEffect =
  /** Fill the choice for `rows` (headings, estimates), show it and put the keyboard on it. */
  | { type: "choose"; rows: readonly string[] }
  /** Queue `rows` with the panel's preset and backend (the first starts when nothing runs). */
  | { type: "enqueue"; rows: readonly string[] }
  | null;

/** The state of a freshly made panel. */
export const INITIAL_PANEL_STATE: PanelState = { kind: "idle", phase: "idle" };

/** The state that shows the queue's `phase` with no choice (progress not yet shown while a run starts). */
function follow(phase: QueuePhase): PanelState {
  if (isActive(phase)) return { kind: "running", phase: phase as ActivePhase, training: false };
  return phase === "idle" ? INITIAL_PANEL_STATE : { kind: phase as OutcomeStatus, phase: phase as OutcomeStatus };
}

/**
 * The pure transition function. Events that make no sense in the current state (Start with no
 * choice showing, progress flags outside a run) leave the state as it is, with no effect.
 */
export function transition(state: PanelState, event: PanelEvent): { state: PanelState; effect: PanelEffect } {
  const same = { state, effect: null };
  switch (event.type) {
    case "request":
      // During a run a request joins the queue with the settings in use: the settings are locked.
      if (state.kind === "running") return { state, effect: { type: "enqueue", rows: event.rows } };
      return { state: { kind: "choosing", rows: event.rows, phase: state.phase }, effect: { type: "choose", rows: event.rows } };
    case "start":
      return state.kind === "choosing" ? { state: follow(state.phase), effect: { type: "enqueue", rows: state.rows } } : same;
    case "close":
      return state.kind === "choosing" ? { state: follow(state.phase), effect: null } : same;
    case "phase":
      if (event.phase === state.phase) return same;
      // The choice stays over a resting phase; a run that starts anyway (only the queue's own api can) replaces it.
      if (state.kind === "choosing" && !isActive(event.phase)) return { state: { ...state, phase: event.phase as RestingPhase }, effect: null };
      if (state.kind === "running" && isActive(event.phase)) return { state: { ...state, phase: event.phase as ActivePhase }, effect: null };
      return { state: follow(event.phase), effect: null };
    case "prepared":
      return state.kind === "running" && !state.training ? { state: { ...state, training: true }, effect: null } : same;
    case "answered":
      return state.kind === "running" && state.training ? { state: { ...state, training: false }, effect: null } : same;
  }
}

/** Whether a run is in progress (Close then only minimises; requests are queued). */
export function isBusy(state: PanelState): boolean {
  return state.kind === "running";
}

/** Whether the run's progress is shown now (from its view's reset until the trainer answers). */
export function isTraining(state: PanelState): boolean {
  return state.kind === "running" && state.training;
}

/** Whether a Cancel was asked and the run's outcome is awaited (a "finished" outcome then came too late to cancel). */
export function isCancelling(state: PanelState): boolean {
  return state.kind === "running" && state.phase === "cancelling";
}
