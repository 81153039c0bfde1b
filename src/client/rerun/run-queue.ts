/**
 * The rerun panel's queue and run lifecycle, without any DOM: one training at a time per tab,
 * further requests wait in a queue (removable), a failure holds the queue until the reader
 * retries. `transition` is the pure state machine; `createRunQueue` drives a trainer client with
 * it and tells the view (through hooks) what happened. The panel's own state (panel-state.ts)
 * follows this phase.
 *
 *   idle ──enqueue──▶ starting ──started──▶ running ──outcome──▶ finished | cancelled | failed
 *                        │                     │                      │
 *                        └──cancel──▶ cancelling ◀──cancel──┘         └─start-next─▶ starting
 *                                         └──outcome──▶ …              (not after failed)
 */
import type { BackendChoice } from "../../lib/backends/choice.ts";
import type { PresetName } from "../../lib/study/preset-names.ts";
import type { TrainRequest } from "../../workers/trainer/api.ts";
import type { ClientOutcome, RunHandlers } from "../trainer-client.ts";

/** One requested rerun: a row, with the preset and backend chosen when it was requested. */
export interface QueueItem {
  /** Tuning-table row, e.g. "cnn-32-64-3-64". */
  rowId: string;
  preset: PresetName;
  backend: BackendChoice;
}

/**
 * Where the lifecycle is. `starting`: the view is being prepared and the trainer not yet asked;
 * `running`: the trainer has the run; `cancelling`: a cancel was asked and the outcome is awaited.
 * The last three are the outcome of the latest run.
 */
export type QueuePhase = "idle" | "starting" | "running" | "cancelling" | "finished" | "cancelled" | "failed";

/** A run's outcome status. */
export type OutcomeStatus = "finished" | "cancelled" | "failed";

/** The machine's state (never mutated: every transition returns a new one). */
export interface RunQueueState {
  readonly phase: QueuePhase;
  /** The run in progress (starting, running or cancelling), else null. */
  readonly current: QueueItem | null;
  /** The latest run started, kept after it ends ("Run again", chart references). */
  readonly last: QueueItem | null;
  /** Waiting requests, in the order they will run. */
  readonly queue: readonly QueueItem[];
}

/** What can happen to the machine. */
export type RunQueueEvent =
  /** The reader asks for a row: it starts now when nothing runs, else it joins the queue. */
  | { type: "enqueue"; item: QueueItem }
  /** Drop the queued request at `index` (0-based). */
  | { type: "remove"; index: number }
  /** Drop every queued request. */
  | { type: "clear" }
  /** After an outcome: start the next queued request, unless the last run failed. */
  | { type: "start-next" }
  /** Start this request now, ahead of the queue (Retry after a failure). */
  | { type: "retry"; item: QueueItem }
  /** The trainer has taken the run. */
  | { type: "started" }
  /** The reader asks to stop the run. */
  | { type: "cancel" }
  /** The run is over. */
  | { type: "outcome"; status: OutcomeStatus };

/** What the driver (or the view) must do after a transition, if anything. */
export type RunQueueEffect =
  | { type: "start"; item: QueueItem }
  | { type: "cancel" }
  | { type: "queued"; item: QueueItem; position: number }
  /** The row is already training or queued: nothing changed. */
  | { type: "refused"; rowId: string; reason: "training" | "queued" }
  | null;

/** The state before any request. */
export const INITIAL_RUN_QUEUE_STATE: RunQueueState = { phase: "idle", current: null, last: null, queue: [] };

/** Whether a run is in progress in this phase (the trainer is busy or about to be). */
export function isActive(phase: QueuePhase): boolean {
  return phase === "starting" || phase === "running" || phase === "cancelling";
}

function startItem(state: RunQueueState, item: QueueItem, queue: readonly QueueItem[]): { state: RunQueueState; effect: RunQueueEffect } {
  // A row started directly leaves the queue, so that it does not train twice.
  return { state: { phase: "starting", current: item, last: item, queue: queue.filter((q) => q.rowId !== item.rowId) }, effect: { type: "start", item } };
}

/**
 * The pure transition function. Events that make no sense in the current phase (a cancel when
 * nothing runs, an outcome without a run) leave the state as it is, with no effect.
 */
export function transition(state: RunQueueState, event: RunQueueEvent): { state: RunQueueState; effect: RunQueueEffect } {
  const same = { state, effect: null };
  switch (event.type) {
    case "enqueue": {
      const { item } = event;
      if (!isActive(state.phase)) return startItem(state, item, state.queue);
      if (state.current?.rowId === item.rowId) return { state, effect: { type: "refused", rowId: item.rowId, reason: "training" } };
      if (state.queue.some((q) => q.rowId === item.rowId)) return { state, effect: { type: "refused", rowId: item.rowId, reason: "queued" } };
      const queue = [...state.queue, item];
      return { state: { ...state, queue }, effect: { type: "queued", item, position: queue.length } };
    }
    case "remove":
      if (!Number.isInteger(event.index) || event.index < 0 || event.index >= state.queue.length) return same;
      return { state: { ...state, queue: state.queue.filter((_, i) => i !== event.index) }, effect: null };
    case "clear":
      return state.queue.length ? { state: { ...state, queue: [] }, effect: null } : same;
    case "start-next":
      if (isActive(state.phase) || state.phase === "failed" || state.queue.length === 0) return same;
      return startItem(state, state.queue[0], state.queue.slice(1));
    case "retry":
      return isActive(state.phase) ? same : startItem(state, event.item, state.queue);
    case "started":
      return state.phase === "starting" ? { state: { ...state, phase: "running" }, effect: null } : same;
    case "cancel":
      return state.phase === "starting" || state.phase === "running" ? { state: { ...state, phase: "cancelling" }, effect: { type: "cancel" } } : same;
    case "outcome":
      return isActive(state.phase) ? { state: { ...state, phase: event.status, current: null }, effect: null } : same;
  }
}

/** The part of the trainer client the queue drives (src/client/trainer-client.ts; tests pass a fake). */
export interface RunTrainer {
  run(request: TrainRequest, handlers: RunHandlers): Promise<ClientOutcome>;
  cancel(): Promise<void>;
}

/** What the queue tells the view, and asks of it. */
export interface RunQueueHooks {
  /** After every transition that changed the state or had an effect (refusals included). */
  onChange?(state: RunQueueState, effect: RunQueueEffect): void;
  /** Before the trainer is asked (show the panel, reset the run's view). */
  prepare?(item: QueueItem): Promise<void> | void;
  /** The progress handlers of one run. */
  handlers?(item: QueueItem): RunHandlers;
  /**
   * After the trainer answered and before the run counts as over (show the result, save it):
   * the next queued run starts only after this settles.
   */
  settle?(outcome: ClientOutcome, item: QueueItem): Promise<void> | void;
}

/** Options of {@link createRunQueue}. */
export interface RunQueueOptions {
  trainer: RunTrainer;
  /** The trainer request for a queued item (its protocol comes from the preset). */
  requestOf(item: QueueItem): TrainRequest;
  hooks?: RunQueueHooks;
}

/** The memory report of a run that never reached the worker. */
const NO_MEMORY = { numTensors: 0, numBytes: 0, numDataBuffers: 0, unreliable: true, backend: null, baselineTensors: null, modelKept: false };

/**
 * Drive a trainer with the machine: each started item is prepared, run, settled, and followed by
 * the next queued one. A trainer that throws instead of answering becomes a `failed` outcome
 * (kind "unexpected"), and a hook that throws does not stall the queue.
 */
export function createRunQueue(options: RunQueueOptions) {
  const { trainer, requestOf } = options;
  const hooks = options.hooks ?? {};
  let state = INITIAL_RUN_QUEUE_STATE;
  /** The loop running the current item and those after it, while there is one. */
  let loop: Promise<void> | null = null;
  /** Whether the trainer has the current run (a cancel goes to it directly). */
  let runningInTrainer = false;

  function dispatch(event: RunQueueEvent): RunQueueEffect {
    const next = transition(state, event);
    const changed = next.state !== state;
    state = next.state;
    if (changed || next.effect) hooks.onChange?.(state, next.effect);
    if (next.effect?.type === "start") {
      const item = next.effect.item;
      loop = runFrom(item).finally(() => {
        if (!isActive(state.phase)) loop = null;
      });
    } else if (next.effect?.type === "cancel" && runningInTrainer) void trainer.cancel().catch(() => {});
    return next.effect;
  }

  async function runOne(item: QueueItem): Promise<void> {
    try {
      await hooks.prepare?.(item);
    } catch (error) {
      console.error("rerun: preparing the view failed", error);
    }
    let outcome: ClientOutcome;
    try {
      const pending = trainer.run(requestOf(item), hooks.handlers?.(item) ?? {});
      runningInTrainer = true;
      const cancelledEarly = state.phase === "cancelling";
      dispatch({ type: "started" });
      // A cancel asked while the run was being prepared reaches the trainer now.
      if (cancelledEarly) void trainer.cancel().catch(() => {});
      outcome = await pending;
    } catch (error) {
      outcome = {
        status: "failed",
        failure: {
          kind: "unexpected",
          message: "The rerun could not start.",
          detail: error instanceof Error ? error.message : String(error),
          retryOnOtherBackend: false,
        },
        memory: NO_MEMORY,
      };
    } finally {
      runningInTrainer = false;
    }
    try {
      await hooks.settle?.(outcome, item);
    } catch (error) {
      console.error("rerun: showing the outcome failed", error);
    }
    dispatch({ type: "outcome", status: outcome.status });
  }

  async function runFrom(item: QueueItem): Promise<void> {
    await runOne(item);
    // start-next starts a loop of its own through dispatch.
    dispatch({ type: "start-next" });
  }

  return {
    /** The current state. */
    get state(): RunQueueState {
      return state;
    },
    /** Ask for a row: starts now when nothing runs, else queued; refused when already training or queued. */
    enqueue: (item: QueueItem): RunQueueEffect => dispatch({ type: "enqueue", item }),
    /** Start `item` now when nothing runs (Retry), ahead of the queue. */
    retry: (item: QueueItem): RunQueueEffect => dispatch({ type: "retry", item }),
    /** Drop the queued request at `index`. */
    remove: (index: number): void => void dispatch({ type: "remove", index }),
    /** Drop every queued request. */
    clear: (): void => void dispatch({ type: "clear" }),
    /** Stop the run in progress (the trainer decides how fast; its outcome ends the run). */
    cancel: (): RunQueueEffect => dispatch({ type: "cancel" }),
    /** Resolves once no run is in progress (the queue is empty, or held after a failure). */
    async settled(): Promise<void> {
      while (loop) await loop;
    },
  };
}

/** The queue's type. */
export type RunQueue = ReturnType<typeof createRunQueue>;
