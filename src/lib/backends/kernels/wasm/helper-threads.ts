/**
 * Helper threads for the kernels of this folder that run in JavaScript. tfjs-backend-wasm's
 * threaded build runs XNNPACK's convolutions and matrix products on every thread, but the loops
 * written here (MaxPoolGrad, the filter gradient's layout changes, FusedAdam: ./heap-jobs.ts) ran
 * on the training thread alone while XNNPACK's threads waited. A helper is a worker that shares
 * the wasm memory (a shared `WebAssembly.Memory` in the threaded build) and takes chunks of such a
 * loop while the training thread takes others.
 *
 * They meet in a small SharedArrayBuffer, through Atomics. The training thread writes a job's
 * arguments, opens its chunks and wakes the helpers; then every thread claims the next chunk
 * (`Atomics.add` on one counter) until none is left. Chunks are claimed, not assigned, because a
 * helper often wakes late: after each XNNPACK operation, XNNPACK's own threads spin for a few
 * milliseconds on the other cores before they sleep, and a helper gets a core only when the system
 * takes it from them; a late helper takes fewer chunks instead of holding the training thread up.
 * The training thread then waits only for chunks a helper is still writing. Each chunk writes its
 * own elements, computed as the whole loop would, so a split never changes a value.
 *
 * A helper whose chunk throws, or that holds a chunk for {@link HELPER_TIMEOUT_MS}, is stopped and
 * its chunk written by the training thread. Where no helper runs (one thread, a page that is not
 * cross-origin isolated, Node's single-threaded backend), {@link runHeapJob} runs the loop in place.
 * `Atomics.wait` blocks, which workers and Node allow and a page's main thread does not: helpers
 * are for workers.
 */
import { HEAP_JOB_NAMES, HEAP_JOBS, packJobArgs, type HeapJobArgs, type HeapJobName } from "./heap-jobs.ts";

/** The most helpers one training thread starts (4 threads saturate memory in these loops). */
export const MAX_HELPERS = 3;

/**
 * The fewest elements (read or written) a chunk should have: a claim costs tens of nanoseconds,
 * these loops take 1 to 2 ns per element, and a helper's wake-up tens of microseconds.
 */
export const MIN_PART_ELEMENTS = 32_768;

/** Chunks per thread a job is cut into (at most; each has at least the minimum part). */
const CHUNKS_PER_THREAD = 8;

/** How long the training thread waits for a helper's chunk before writing it itself, in ms. */
export const HELPER_TIMEOUT_MS = 10_000;

/** Int32 words of the control buffer shared by all: job generation, next chunk, chunks, chunk length, total, job. */
const GENERATION = 0;
const NEXT = 1;
const CHUNKS = 2;
const CHUNK_LENGTH = 3;
const TOTAL = 4;
const JOB = 5;
/** NEXT between jobs: every claim fails. */
const CLOSED = 1 << 30;
/** Each helper's words: ready flag, busy flag, the chunk it holds, failure. */
const SLOTS = 8;
const SLOT = 4;
const READY = 0;
const BUSY = 1;
const HOLDING = 2;
const FAILED = 3;
const CONTROL_INTS = SLOTS + SLOT * MAX_HELPERS;
/** The current job's float64 arguments. */
const ARGS_BYTE_OFFSET = 128;
const MAX_ARGS = 32;
const CONTROL_BYTES = ARGS_BYTE_OFFSET + 8 * MAX_ARGS;

/** A started helper as the training thread sees it: a Web Worker or a Node worker_threads Worker. */
export interface HelperPort {
  postMessage(message: HelperStart): void;
  terminate(): unknown;
}

/** The one message a helper gets: the wasm memory, the control buffer, and its slot. */
export interface HelperStart {
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
}

interface Pool {
  memory: WebAssembly.Memory;
  ctl: Int32Array;
  args: Float64Array;
  /** null once stopped. */
  ports: (HelperPort | null)[];
}

let pool: Pool | null = null;
/** Arguments of a job run in place, without a pool. */
const localArgs = new Float64Array(MAX_ARGS);

/**
 * The memory of a running wasm backend (`tf.backend()`) when it is shared, as in tfjs-backend-wasm's
 * threaded build (emscripten's `Module.wasmMemory`); undefined for the single-threaded builds and
 * other backends.
 */
export function sharedWasmMemory(backend: unknown): WebAssembly.Memory | undefined {
  const memory = (backend as { wasm?: { wasmMemory?: unknown } } | null)?.wasm?.wasmMemory;
  if (typeof SharedArrayBuffer === "undefined" || !(memory instanceof WebAssembly.Memory)) return undefined;
  return memory.buffer instanceof SharedArrayBuffer ? memory : undefined;
}

/**
 * Starts `count` helpers (at most {@link MAX_HELPERS}) sharing `memory`, replacing any started
 * before. Each takes part once its worker has loaded and entered {@link serveHeapJobs}; until then
 * jobs run without it.
 * @param memory the wasm backend's memory; must be shared (the threaded build's), else nothing starts
 * @param spawn starts one helper worker, whose entry calls `serveHeapJobs` with the message it gets
 * @returns the number of helpers started (0 when `memory` is not shared, `count` < 1, or `spawn`
 *   throws at once; a throw stops the starting, never the caller)
 */
export function startKernelHelpers(memory: WebAssembly.Memory, count: number, spawn: () => HelperPort): number {
  stopKernelHelpers();
  const wanted = Math.max(0, Math.min(MAX_HELPERS, Math.floor(count)));
  if (wanted === 0 || typeof SharedArrayBuffer === "undefined" || !(memory.buffer instanceof SharedArrayBuffer)) return 0;
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const started: Pool = { memory, ctl: new Int32Array(control, 0, CONTROL_INTS), args: new Float64Array(control, ARGS_BYTE_OFFSET, MAX_ARGS), ports: [] };
  Atomics.store(started.ctl, NEXT, CLOSED);
  for (let index = 0; index < wanted; index++) {
    let port: HelperPort;
    try {
      port = spawn();
      port.postMessage({ memory, control, index });
    } catch {
      // No worker here (a browser without nested workers, say): the helpers started so far serve.
      break;
    }
    started.ports.push(port);
  }
  if (started.ports.length === 0) return 0;
  pool = started;
  return started.ports.length;
}

/** Stops every helper (each leaves its loop and its worker is terminated); jobs then run in place. */
export function stopKernelHelpers(): void {
  const stopping = pool;
  pool = null;
  if (stopping === null) return;
  stopping.ports.forEach((port, index) => {
    if (port !== null) stopHelper(stopping, index);
  });
}

/** The helpers that have entered their loop and not been stopped. */
export function readyKernelHelpers(): number {
  const p = pool;
  return p === null ? 0 : p.ports.filter((port, index) => port !== null && Atomics.load(p.ctl, SLOTS + index * SLOT + READY) === 1).length;
}

function stopHelper(p: Pool, index: number): void {
  Atomics.store(p.ctl, SLOTS + index * SLOT + READY, -1);
  Atomics.add(p.ctl, GENERATION, 1);
  Atomics.notify(p.ctl, GENERATION);
  p.ports[index]?.terminate();
  p.ports[index] = null;
}

/**
 * Runs job `name` over [0, total) of its outer loop on `heap`, in chunks claimed by this thread and
 * the ready helpers when the pool shares this heap and the loop makes at least two chunks of
 * `minPart`. Returns when every chunk is written.
 * @param heap the wasm memory's buffer the job's byte offsets point into
 * @param minPart the smallest chunk worth its claim, in units of the outer loop
 * @returns how many chunks helpers wrote (0 when the job ran in place)
 */
export function runHeapJob<N extends HeapJobName>(heap: ArrayBufferLike, name: N, args: HeapJobArgs<N>, total: number, minPart: number): number {
  const p = pool;
  const helpers = p !== null && heap === p.memory.buffer ? readyKernelHelpers() : 0;
  const chunkLength = Math.max(Math.ceil(minPart), Math.ceil(total / (CHUNKS_PER_THREAD * (helpers + 1))), 1);
  const chunks = Math.ceil(total / chunkLength);
  if (p === null || helpers === 0 || chunks < 2) {
    HEAP_JOBS[name](heap, packJobArgs(name, args, localArgs), 0, total);
    return 0;
  }
  const { ctl } = p;
  packJobArgs(name, args, p.args);
  Atomics.store(ctl, JOB, HEAP_JOB_NAMES.indexOf(name));
  Atomics.store(ctl, TOTAL, total);
  Atomics.store(ctl, CHUNK_LENGTH, chunkLength);
  Atomics.store(ctl, CHUNKS, chunks);
  // Opening the chunks last: a helper that claims one sees this job's arguments.
  Atomics.store(ctl, NEXT, 0);
  Atomics.add(ctl, GENERATION, 1);
  Atomics.notify(ctl, GENERATION);
  let own = 0;
  const run = (chunk: number) => {
    HEAP_JOBS[name](heap, p.args, chunk * chunkLength, Math.min(total, (chunk + 1) * chunkLength));
    own++;
  };
  for (let chunk = Atomics.add(ctl, NEXT, 1); chunk < chunks; chunk = Atomics.add(ctl, NEXT, 1)) run(chunk);
  // Every chunk is claimed; wait for those a helper still writes, write those a helper dropped.
  p.ports.forEach((port, index) => {
    if (port === null) return;
    const slot = SLOTS + index * SLOT;
    const deadline = Date.now() + HELPER_TIMEOUT_MS;
    while (Atomics.load(ctl, slot + BUSY) === 1 && Date.now() < deadline) Atomics.wait(ctl, slot + BUSY, 1, deadline - Date.now());
    const held = Atomics.load(ctl, slot + HOLDING);
    if (Atomics.load(ctl, slot + BUSY) === 1 || Atomics.load(ctl, slot + FAILED) === 1) {
      stopHelper(p, index);
      run(held);
    }
  });
  Atomics.store(ctl, NEXT, CLOSED);
  return chunks - own;
}

/**
 * A helper's loop (the entry of its worker calls this with the message it gets): marks itself
 * ready, then claims and writes chunks of each job it is woken for, until stopped. Never returns
 * before then.
 */
export function serveHeapJobs({ memory, control, index }: HelperStart): void {
  const ctl = new Int32Array(control, 0, CONTROL_INTS);
  const args = new Float64Array(control, ARGS_BYTE_OFFSET, MAX_ARGS);
  const slot = SLOTS + index * SLOT;
  let generation = Atomics.load(ctl, GENERATION);
  Atomics.store(ctl, slot + READY, 1);
  for (;;) {
    Atomics.wait(ctl, GENERATION, generation);
    generation = Atomics.load(ctl, GENERATION);
    if (Atomics.load(ctl, slot + READY) !== 1) return;
    for (;;) {
      // Busy before claiming: the training thread, having claimed past the end, waits while it is set.
      Atomics.store(ctl, slot + BUSY, 1);
      const chunk = Atomics.add(ctl, NEXT, 1);
      if (chunk >= Atomics.load(ctl, CHUNKS)) break;
      Atomics.store(ctl, slot + HOLDING, chunk);
      const total = Atomics.load(ctl, TOTAL);
      const length = Atomics.load(ctl, CHUNK_LENGTH);
      try {
        // memory.buffer, not a buffer kept from before: the memory may have grown since.
        HEAP_JOBS[HEAP_JOB_NAMES[Atomics.load(ctl, JOB)]](memory.buffer, args, chunk * length, Math.min(total, (chunk + 1) * length));
      } catch {
        Atomics.store(ctl, slot + FAILED, 1);
        Atomics.store(ctl, slot + BUSY, 0);
        Atomics.notify(ctl, slot + BUSY);
        return;
      }
      Atomics.store(ctl, slot + BUSY, 0);
      Atomics.notify(ctl, slot + BUSY);
    }
    Atomics.store(ctl, slot + BUSY, 0);
    Atomics.notify(ctl, slot + BUSY);
  }
}
