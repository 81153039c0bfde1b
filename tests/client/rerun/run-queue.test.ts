import { describe, expect, it, vi } from "vitest";
import {
  createRunQueue,
  INITIAL_RUN_QUEUE_STATE,
  transition,
  type QueueItem,
  type RunQueueEvent,
  type RunQueueState,
  type RunTrainer,
} from "../../../src/client/rerun/run-queue.ts";
import type { ClientOutcome, RunHandlers } from "../../../src/client/trainer-client.ts";
import { PROTOCOL_PRESETS } from "../../../src/lib/study/study.ts";
import type { TrainRequest } from "../../../src/workers/trainer/api.ts";

const item = (rowId: string, backend: QueueItem["backend"] = "auto"): QueueItem => ({ rowId, preset: "smoke", backend });
const MEMORY = { numTensors: 3, numBytes: 12, numDataBuffers: 3, unreliable: false, backend: "wasm", baselineTensors: 3, modelKept: false };
const cancelled: ClientOutcome = { status: "cancelled", epochs: [], backend: "wasm", memory: MEMORY };
const failed: ClientOutcome = {
  status: "failed",
  failure: { kind: "dataset-download", message: "The dataset could not be downloaded.", detail: "offline", retryOnOtherBackend: false },
  memory: MEMORY,
};
const finished = (rowId: string) => ({ status: "finished", record: { rowId }, backend: "wasm", memory: MEMORY }) as unknown as ClientOutcome;

/** Apply events in order from the initial state. */
function run(...events: RunQueueEvent[]): RunQueueState {
  return events.reduce((state, event) => transition(state, event).state, INITIAL_RUN_QUEUE_STATE);
}

describe("run queue transitions", () => {
  it("starts the first request at once and queues the next ones in order", () => {
    const first = transition(INITIAL_RUN_QUEUE_STATE, { type: "enqueue", item: item("a") });
    expect(first.state).toMatchObject({ phase: "starting", current: item("a"), last: item("a"), queue: [] });
    expect(first.effect).toEqual({ type: "start", item: item("a") });
    const second = transition(first.state, { type: "enqueue", item: item("b") });
    expect(second.state.queue).toEqual([item("b")]);
    expect(second.effect).toEqual({ type: "queued", item: item("b"), position: 1 });
    expect(transition(second.state, { type: "enqueue", item: item("c") }).state.queue.map((q) => q.rowId)).toEqual(["b", "c"]);
  });

  it("refuses a row that is already training or queued, leaving the state as it was", () => {
    const s = run({ type: "enqueue", item: item("a") }, { type: "enqueue", item: item("b") });
    const again = transition(s, { type: "enqueue", item: item("a") });
    expect(again.state).toBe(s);
    expect(again.effect).toEqual({ type: "refused", rowId: "a", reason: "training" });
    expect(transition(s, { type: "enqueue", item: item("b") }).effect).toEqual({ type: "refused", rowId: "b", reason: "queued" });
  });

  it("goes starting -> running -> finished, and starts the next queued run on start-next", () => {
    let s = run({ type: "enqueue", item: item("a") }, { type: "enqueue", item: item("b") }, { type: "started" });
    expect(s.phase).toBe("running");
    s = transition(s, { type: "outcome", status: "finished" }).state;
    expect(s).toMatchObject({ phase: "finished", current: null, last: item("a"), queue: [item("b")] });
    const next = transition(s, { type: "start-next" });
    expect(next.state).toMatchObject({ phase: "starting", current: item("b"), last: item("b"), queue: [] });
    expect(next.effect).toEqual({ type: "start", item: item("b") });
  });

  it("holds the queue after a failure until a retry, which starts ahead of the queue", () => {
    const s = run({ type: "enqueue", item: item("a") }, { type: "enqueue", item: item("b") }, { type: "started" }, { type: "outcome", status: "failed" });
    expect(s.phase).toBe("failed");
    expect(transition(s, { type: "start-next" }).state).toBe(s);
    const retried = transition(s, { type: "retry", item: item("a", "webgl") });
    expect(retried.effect).toEqual({ type: "start", item: item("a", "webgl") });
    expect(retried.state).toMatchObject({ phase: "starting", current: item("a", "webgl"), queue: [item("b")] });
  });

  it("cancels only a run in progress, and the outcome ends it", () => {
    expect(transition(INITIAL_RUN_QUEUE_STATE, { type: "cancel" })).toEqual({ state: INITIAL_RUN_QUEUE_STATE, effect: null });
    const running = run({ type: "enqueue", item: item("a") }, { type: "started" });
    const c = transition(running, { type: "cancel" });
    expect(c.state.phase).toBe("cancelling");
    expect(c.effect).toEqual({ type: "cancel" });
    // A second cancel and a late "started" change nothing.
    expect(transition(c.state, { type: "cancel" }).state).toBe(c.state);
    expect(transition(c.state, { type: "started" }).state).toBe(c.state);
    expect(transition(c.state, { type: "outcome", status: "cancelled" }).state).toMatchObject({ phase: "cancelled", current: null });
    // Cancelling before the trainer has the run is allowed too.
    expect(transition(run({ type: "enqueue", item: item("a") }), { type: "cancel" }).state.phase).toBe("cancelling");
  });

  it("ignores an outcome when no run is in progress", () => {
    const s = run({ type: "enqueue", item: item("a") }, { type: "outcome", status: "finished" });
    expect(transition(s, { type: "outcome", status: "failed" }).state).toBe(s);
  });

  it("removes one queued request or all of them; out-of-range removals change nothing", () => {
    const s = run({ type: "enqueue", item: item("a") }, { type: "enqueue", item: item("b") }, { type: "enqueue", item: item("c") });
    expect(transition(s, { type: "remove", index: 0 }).state.queue).toEqual([item("c")]);
    expect(transition(s, { type: "remove", index: 5 }).state).toBe(s);
    expect(transition(s, { type: "remove", index: -1 }).state).toBe(s);
    expect(transition(s, { type: "clear" }).state.queue).toEqual([]);
  });

  it("takes a row started directly out of the queue, so that it does not train twice", () => {
    const s = run({ type: "enqueue", item: item("a") }, { type: "enqueue", item: item("b") }, { type: "outcome", status: "failed" });
    expect(transition(s, { type: "enqueue", item: item("b") }).state).toMatchObject({ phase: "starting", current: item("b"), queue: [] });
  });
});

/**
 * A fake trainer client: each run waits until the test settles it (or until cancel(), which
 * settles it as cancelled); calls are recorded.
 */
function fakeTrainer() {
  const runs: { request: TrainRequest; handlers: RunHandlers; settle(outcome: ClientOutcome): void }[] = [];
  let cancels = 0;
  const trainer: RunTrainer = {
    run(request, handlers) {
      if (runs.some((r) => !("done" in r))) throw new Error("a rerun is already running in this tab");
      return new Promise<ClientOutcome>((resolve) => {
        const entry = {
          request,
          handlers,
          settle: (outcome: ClientOutcome) => {
            Object.assign(entry, { done: true });
            resolve(outcome);
          },
        };
        runs.push(entry);
      });
    },
    async cancel() {
      cancels++;
      const open = runs.find((r) => !("done" in r));
      open?.settle(cancelled);
    },
  };
  return { trainer, runs, cancels: () => cancels };
}

/** Let pending promise callbacks run. */
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function makeQueue(trainer: RunTrainer, hooks: Parameters<typeof createRunQueue>[0]["hooks"] = {}) {
  return createRunQueue({ trainer, requestOf: (q) => ({ rowId: q.rowId, protocol: PROTOCOL_PRESETS[q.preset], backend: q.backend }), hooks });
}

describe("run queue driving a trainer client", () => {
  it("runs requests one at a time, in order, with each one's protocol and backend", async () => {
    const fake = fakeTrainer();
    const phases: string[] = [];
    const queue = makeQueue(fake.trainer, { onChange: (s) => phases.push(`${s.phase}:${s.current?.rowId ?? "-"}:${s.queue.length}`) });
    queue.enqueue(item("a", "wasm"));
    queue.enqueue(item("b"));
    await flush();
    expect(fake.runs).toHaveLength(1);
    expect(fake.runs[0].request).toEqual({ rowId: "a", protocol: PROTOCOL_PRESETS.smoke, backend: "wasm" });
    fake.runs[0].settle(finished("a"));
    await flush();
    expect(fake.runs).toHaveLength(2);
    expect(fake.runs[1].request.rowId).toBe("b");
    fake.runs[1].settle(finished("b"));
    await queue.settled();
    expect(queue.state).toMatchObject({ phase: "finished", current: null, last: item("b"), queue: [] });
    expect(phases).toEqual(["starting:a:0", "starting:a:1", "running:a:1", "finished:-:1", "starting:b:0", "running:b:0", "finished:-:0"]);
  });

  it("prepares before the trainer is asked, passes the run's handlers, and settles before the next run starts", async () => {
    const fake = fakeTrainer();
    const log: string[] = [];
    const onBatch = vi.fn();
    let release!: () => void;
    const queue = makeQueue(fake.trainer, {
      prepare: async (q) => {
        log.push(`prepare ${q.rowId} (trainer runs: ${fake.runs.length})`);
        await flush();
      },
      handlers: () => ({ onBatch }),
      settle: (outcome, q) =>
        new Promise<void>((resolve) => {
          log.push(`settle ${q.rowId} ${outcome.status}`);
          release = resolve;
        }),
    });
    queue.enqueue(item("a"));
    queue.enqueue(item("b"));
    await flush();
    await flush();
    expect(fake.runs[0].handlers.onBatch).toBe(onBatch);
    fake.runs[0].settle(finished("a"));
    await flush();
    // Saving the result holds the queue: b waits, a still counts as running.
    expect(queue.state.phase).toBe("running");
    expect(fake.runs).toHaveLength(1);
    release();
    await flush();
    expect(log).toEqual(["prepare a (trainer runs: 0)", "settle a finished", "prepare b (trainer runs: 1)"]);
  });

  it("cancel reaches the trainer, and the cancelled outcome lets the queue go on", async () => {
    const fake = fakeTrainer();
    const queue = makeQueue(fake.trainer);
    queue.enqueue(item("a"));
    queue.enqueue(item("b"));
    await flush();
    expect(queue.cancel()).toEqual({ type: "cancel" });
    expect(queue.state.phase).toBe("cancelling");
    await flush();
    expect(fake.cancels()).toBe(1);
    expect(fake.runs[1]?.request.rowId).toBe("b");
    expect(queue.state).toMatchObject({ phase: "running", current: item("b") });
  });

  it("a cancel asked before the trainer has the run reaches it as soon as it does", async () => {
    const fake = fakeTrainer();
    let go!: () => void;
    const queue = makeQueue(fake.trainer, { prepare: () => new Promise<void>((resolve) => (go = resolve)) });
    queue.enqueue(item("a"));
    queue.cancel();
    expect(fake.cancels()).toBe(0);
    go();
    await queue.settled();
    expect(fake.cancels()).toBe(1);
    expect(queue.state.phase).toBe("cancelled");
  });

  it("after a failure the queue waits; Retry runs the failed row again, then the queue goes on", async () => {
    const fake = fakeTrainer();
    const queue = makeQueue(fake.trainer);
    queue.enqueue(item("a"));
    queue.enqueue(item("b"));
    await flush();
    fake.runs[0].settle(failed);
    await queue.settled();
    expect(queue.state).toMatchObject({ phase: "failed", queue: [item("b")] });
    expect(fake.runs).toHaveLength(1);
    queue.retry({ ...queue.state.last!, backend: "cpu" });
    await flush();
    expect(fake.runs[1].request).toMatchObject({ rowId: "a", backend: "cpu" });
    fake.runs[1].settle(finished("a"));
    await flush();
    expect(fake.runs[2].request.rowId).toBe("b");
  });

  it("a trainer that throws instead of answering gives a failed outcome, not a stuck queue", async () => {
    const trainer: RunTrainer = {
      run: () => {
        throw new Error("a rerun is already running in this tab");
      },
      cancel: async () => {},
    };
    const outcomes: ClientOutcome[] = [];
    const queue = makeQueue(trainer, { settle: (o) => void outcomes.push(o) });
    queue.enqueue(item("a"));
    await queue.settled();
    expect(queue.state.phase).toBe("failed");
    expect(outcomes[0]).toMatchObject({ status: "failed", failure: { kind: "unexpected", detail: "a rerun is already running in this tab" } });
  });

  it("a hook that throws does not stall the queue", async () => {
    const fake = fakeTrainer();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const queue = makeQueue(fake.trainer, {
      settle: () => {
        throw new Error("view broke");
      },
    });
    queue.enqueue(item("a"));
    queue.enqueue(item("b"));
    await flush();
    fake.runs[0].settle(finished("a"));
    await flush();
    expect(fake.runs[1].request.rowId).toBe("b");
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });

  it("tells the view about refusals and removals", async () => {
    const fake = fakeTrainer();
    const effects: unknown[] = [];
    const queue = makeQueue(fake.trainer, { onChange: (_s, e) => effects.push(e) });
    queue.enqueue(item("a"));
    queue.enqueue(item("b"));
    queue.enqueue(item("a"));
    queue.remove(0);
    expect(effects).toContainEqual({ type: "refused", rowId: "a", reason: "training" });
    expect(queue.state.queue).toEqual([]);
    queue.cancel();
    await queue.settled();
  });
});
