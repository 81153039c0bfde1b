import { afterEach, describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { HEAP_JOBS, JOB_ARGS, packJobArgs, type HeapJobArgs, type HeapJobName } from "../../../../../src/lib/backends/kernels/wasm/heap-jobs.ts";
import {
  readyKernelHelpers,
  runHeapJob,
  sharedWasmMemory,
  startKernelHelpers,
  stopKernelHelpers,
  type HelperPort,
  type HelperStart,
} from "../../../../../src/lib/backends/kernels/wasm/helper-threads.ts";
import { fusedAdamConstants } from "../../../../../src/lib/backends/kernels/fused-adam-op.ts";

/** A deterministic generator of floats in [-1, 1), with ties and signed zeros now and then. */
function fill(values: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < values.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s / 2 ** 32;
    values[i] = r < 0.05 ? 0 : r < 0.08 ? -0 : r < 0.15 ? 0.5 : 2 * r - 1;
  }
}

/** Lays out operands in a heap one after another from byte 64, 64-byte aligned, filled at random. */
function heapLayout(heap: ArrayBufferLike): (sizes: number[], seed: number) => number[] {
  let at = 64;
  return (sizes, seed) =>
    sizes.map((size, i) => {
      const offset = at;
      fill(new Float32Array(heap, offset, size), seed + i);
      at += Math.ceil((4 * size) / 64) * 64;
      return offset;
    });
}

/**
 * Six jobs with their operands on `heap`, apart (inputs random, outputs random too: every element
 * must be written); the same offsets on every heap.
 */
function jobs(heap: ArrayBufferLike): { name: HeapJobName; args: HeapJobArgs<HeapJobName>; total: number; outputs: [number, number][] }[] {
  const layout = heapLayout(heap);
  const [n, h, w, c] = [6, 9, 8, 5];
  const [ho, wo] = [4, 4];
  const pool = layout([n * h * w * c, n * ho * wo * c, n * ho * wo * c, n * h * w * c], 1);
  // The pool's forward output: each window's maximum, as the kernel is given it.
  const xs = new Float32Array(heap, pool[0], n * h * w * c);
  const maxes = new Float32Array(heap, pool[1], n * ho * wo * c);
  for (let b = 0, o = 0; b < n; b++)
    for (let y = 0; y < ho; y++)
      for (let x = 0; x < wo; x++)
        for (let k = 0; k < c; k++, o++) {
          const at = (yy: number, xx: number) => xs[((b * h + 2 * y + yy) * w + 2 * x + xx) * c + k];
          maxes[o] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
        }
  const maxPool = { x: pool[0], maxes: pool[1], dy: pool[2], dx: pool[3], batch: n, inHeight: h, inWidth: w, channels: c, outHeight: ho, outWidth: wo };
  const transpose = layout([n * h * w * c, n * h * w * c], 20);
  const [cin, kh, kw, pho, pwo] = [3, 3, 3, 9, 8];
  const patches = layout([cin * h * w * n, kh * kw * cin * pho * pwo * n], 30);
  const adam = layout([1000, 1000, 2000, 1000, 2000], 40);
  const rows = layout([97 * 7, 97 * 7], 50);
  const norm = layout([97 * 7, 97 * 7, 3 * 7 * 2], 60);
  // The batch norm's per-channel parameters are float64 (mean, offset, factor).
  new Float64Array(heap, norm[2], 3 * 7).forEach((_, i, a) => (a[i] = Math.sin(i + 1) * 1.7));
  const k = fusedAdamConstants({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, biasCorrection1: 0.271, biasCorrection2: 0.003 });
  return [
    { name: "maxPoolGrad2x2", args: maxPool, total: n * ho, outputs: [[pool[3], n * h * w * c]] },
    {
      name: "transposeBatchAndChannels",
      args: { src: transpose[0], dst: transpose[1], batch: n, pixels: h * w, channels: c },
      total: h * w,
      outputs: [[transpose[1], n * h * w * c]],
    },
    {
      name: "patchRows",
      args: { xT: patches[0], dst: patches[1], batch: n, height: h, width: w, inChannels: cin, kh, kw, outHeight: pho, outWidth: pwo, top: 1, left: 1 },
      total: kh * kw * cin,
      outputs: [[patches[1], kh * kw * cin * pho * pwo * n]],
    },
    {
      name: "fusedAdam",
      args: { variable: adam[0], gradient: adam[1], moments: adam[2], outVariable: adam[3], outMoments: adam[4], size: 1000, ...k },
      total: 1000,
      outputs: [
        [adam[3], 1000],
        [adam[4], 2000],
      ],
    },
    { name: "transposeRows", args: { src: rows[0], dst: rows[1], rows: 97, cols: 7 }, total: 2, outputs: [[rows[1], 97 * 7]] },
    { name: "batchNormRows", args: { x: norm[0], out: norm[1], channelParams: norm[2], rows: 97, channels: 7 }, total: 97, outputs: [[norm[1], 97 * 7]] },
  ] as { name: HeapJobName; args: HeapJobArgs<HeapJobName>; total: number; outputs: [number, number][] }[];
}

const bits = (heap: ArrayBufferLike, [offset, length]: [number, number]) => Array.from(new Int32Array(heap, offset, length));

afterEach(() => stopKernelHelpers());

describe("heap jobs", () => {
  it("name their arguments once each", () => {
    for (const names of Object.values(JOB_ARGS)) expect(new Set(names).size).toBe(names.length);
  });

  it("write the same bits whatever the split of their outer loop", () => {
    const whole = new ArrayBuffer(1 << 20);
    const split = new ArrayBuffer(1 << 20);
    const args = new Float64Array(32);
    for (const [i, job] of jobs(whole).entries()) {
      jobs(split);
      HEAP_JOBS[job.name](whole, packJobArgs(job.name, job.args, args), 0, job.total);
      // Uneven parts, written in reverse order.
      const cuts = [0, 1, Math.floor(job.total / 3), job.total - 1, job.total];
      for (let c = cuts.length - 2; c >= 0; c--) HEAP_JOBS[job.name](split, packJobArgs(job.name, job.args, args), cuts[c], cuts[c + 1]);
      for (const output of job.outputs) expect(bits(split, output), `${job.name} (${i})`).toEqual(bits(whole, output));
    }
  });
});

describe("kernel helper threads", () => {
  /** A helper in a worker thread, started as scripts/lib/wasm-threads.ts starts them; `rewrite` alters its message. */
  const spawnWith = (rewrite: (start: HelperStart) => HelperStart) => (): HelperPort => {
    const worker = new Worker(new URL("../../../../../scripts/lib/kernel-helper-thread.ts", import.meta.url));
    worker.unref();
    return { postMessage: (start) => worker.postMessage(rewrite(start)), terminate: () => worker.terminate() };
  };
  const sharedMemory = () => new WebAssembly.Memory({ initial: 32, maximum: 64, shared: true });
  const untilReady = async (count: number) => {
    for (let i = 0; i < 500 && readyKernelHelpers() < count; i++) await new Promise((r) => setTimeout(r, 10));
    expect(readyKernelHelpers()).toBe(count);
  };

  it("start only on a shared memory, the one of a threaded wasm backend", () => {
    expect(
      startKernelHelpers(
        new WebAssembly.Memory({ initial: 1 }),
        1,
        spawnWith((s) => s),
      ),
    ).toBe(0);
    expect(sharedWasmMemory({ wasm: { wasmMemory: new WebAssembly.Memory({ initial: 1 }) } })).toBeUndefined();
    const shared = sharedMemory();
    expect(sharedWasmMemory({ wasm: { wasmMemory: shared } })).toBe(shared);
    expect(sharedWasmMemory(null)).toBeUndefined();
  });

  it("share every job, and the results are the bits of the job run in place", { timeout: 60_000 }, async () => {
    const memory = sharedMemory();
    const reference = new ArrayBuffer(memory.buffer.byteLength);
    const expected = jobs(reference);
    for (const job of expected) runHeapJob(reference, job.name, job.args, job.total, 1);
    expect(
      startKernelHelpers(
        memory,
        2,
        spawnWith((s) => s),
      ),
    ).toBe(2);
    await untilReady(2);
    // The same layout in both heaps: the same offsets. Small jobs: which thread writes which chunk varies.
    for (let round = 0; round < 50; round++) {
      for (const job of jobs(memory.buffer)) {
        runHeapJob(memory.buffer, job.name, job.args, job.total, 1);
        for (const output of job.outputs) expect(bits(memory.buffer, output), `${job.name}, round ${round}`).toEqual(bits(reference, output));
      }
    }
  });

  it("take part in a job that lasts milliseconds, to the same bits", { timeout: 60_000 }, async () => {
    // MaxPoolGrad of CNN 32-64-3-64's pool1 at batch 16: 16 x 13 window rows of 13 x 32 windows.
    const [n, h, w, c] = [16, 26, 26, 32];
    const memory = new WebAssembly.Memory({ initial: 128, maximum: 128, shared: true });
    const layout = heapLayout(memory.buffer);
    const [x, maxes, dy, dx] = layout([n * h * w * c, (n * h * w * c) / 4, (n * h * w * c) / 4, n * h * w * c], 70);
    const xs = new Float32Array(memory.buffer, x, n * h * w * c);
    const m = new Float32Array(memory.buffer, maxes, (n * h * w * c) / 4);
    for (let b = 0, o = 0; b < n; b++)
      for (let y = 0; y < h / 2; y++)
        for (let xo = 0; xo < w / 2; xo++)
          for (let k = 0; k < c; k++, o++) {
            const at = (yy: number, xx: number) => xs[((b * h + 2 * y + yy) * w + 2 * xo + xx) * c + k];
            m[o] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
          }
    const args = { x, maxes, dy, dx, batch: n, inHeight: h, inWidth: w, channels: c, outHeight: h / 2, outWidth: w / 2 };
    runHeapJob(memory.buffer, "maxPoolGrad2x2", args, n * (h / 2), 1);
    const expected = new Int32Array(memory.buffer, dx, n * h * w * c).slice();
    const firstDifference = () => new Int32Array(memory.buffer, dx, n * h * w * c).findIndex((v, i) => v !== expected[i]);
    startKernelHelpers(
      memory,
      1,
      spawnWith((s) => s),
    );
    await untilReady(1);
    let byHelper = 0;
    for (let round = 0; round < 40; round++) {
      new Float32Array(memory.buffer, dx, n * h * w * c).fill(Number.NaN);
      byHelper += runHeapJob(memory.buffer, "maxPoolGrad2x2", args, n * (h / 2), 1);
      expect(firstDifference(), `round ${round}`).toBe(-1);
    }
    // Woken at each job, an idle helper claims chunks of 40 jobs of about a millisecond each.
    expect(byHelper).toBeGreaterThan(0);
  });

  it("write a chunk themselves when a helper's throws, and stop that helper", { timeout: 60_000 }, async () => {
    const memory = sharedMemory();
    const reference = new ArrayBuffer(memory.buffer.byteLength);
    // patchRows: its operands end past the first 64 KiB.
    const job = jobs(reference)[2];
    runHeapJob(reference, job.name, job.args, job.total, 1);
    // The helper gets a memory of 64 KiB, too small for the job's offsets: every chunk it claims throws.
    startKernelHelpers(
      memory,
      1,
      spawnWith((s) => ({ ...s, memory: new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }) })),
    );
    await untilReady(1);
    for (let round = 0; round < 200 && readyKernelHelpers() === 1; round++) {
      jobs(memory.buffer);
      runHeapJob(memory.buffer, job.name, job.args, job.total, 1);
      expect(bits(memory.buffer, job.outputs[0])).toEqual(bits(reference, job.outputs[0]));
    }
    expect(readyKernelHelpers()).toBe(0);
    jobs(memory.buffer);
    runHeapJob(memory.buffer, job.name, job.args, job.total, 1);
    expect(bits(memory.buffer, job.outputs[0])).toEqual(bits(reference, job.outputs[0]));
  });

  it("start as many as can be spawned: a spawn that throws stops the starting, not the caller", async () => {
    expect(
      startKernelHelpers(sharedMemory(), 2, () => {
        throw new Error("no nested workers here");
      }),
    ).toBe(0);
    expect(readyKernelHelpers()).toBe(0);
    let spawned = 0;
    const once = spawnWith((s) => s);
    expect(
      startKernelHelpers(sharedMemory(), 3, () => {
        if (spawned++ > 0) throw new Error("one worker only");
        return once();
      }),
    ).toBe(1);
    await untilReady(1);
  });

  it("leave a heap they do not share to the calling thread", async () => {
    startKernelHelpers(
      sharedMemory(),
      1,
      spawnWith((s) => s),
    );
    await untilReady(1);
    const other = new ArrayBuffer(1 << 20);
    const reference = new ArrayBuffer(1 << 20);
    const [job] = jobs(other);
    jobs(reference);
    HEAP_JOBS[job.name](reference, packJobArgs(job.name, job.args, new Float64Array(32)), 0, job.total);
    runHeapJob(other, job.name, job.args, job.total, 1);
    expect(bits(other, job.outputs[0])).toEqual(bits(reference, job.outputs[0]));
  });
});
