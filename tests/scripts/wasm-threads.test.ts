import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { registerThreadedWasm } from "../../scripts/lib/wasm-threads.ts";
import os from "node:os";

/** Three training steps of a small CNN and ResNet in a child process with `threads` XNNPACK threads. */
function steps(threads: number) {
  const run = spawnSync(process.execPath, ["tests/helpers/wasm-threads-steps.ts", String(threads)], { encoding: "utf8", timeout: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  const line = run.stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as {
    threads: number;
    description: { threads?: boolean; kernelHelpers?: number };
    cnn: { losses: number[]; leaked: number };
    resnet: { losses: number[]; leaked: number };
  };
}

describe("threaded wasm in Node", () => {
  it("runs tfjs-backend-wasm's threaded build on the threads asked for, with this project's kernels and their helper threads, to the same losses", () => {
    const one = steps(1);
    const two = steps(2);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.description.threads).toBe(true);
    // The JavaScript kernels' loops are shared with a helper thread (helper-threads.ts), to the same bits.
    expect(two.description.kernelHelpers).toBe(1);
    expect(one.description.kernelHelpers).toBeUndefined();
    for (const family of ["cnn", "resnet"] as const) {
      expect(two[family].leaked).toBe(0);
      expect(two[family].losses).toHaveLength(3);
      // XNNPACK splits work between threads by output tiles, so each number is summed the same way.
      expect(two[family].losses).toEqual(one[family].losses);
    }
  });

  it("refuses fewer than 2 threads, and reproduce refuses more threads than cores", () => {
    expect(() => registerThreadedWasm(1)).toThrow(/threads must be an integer >= 2, got 1/);
    const cores = os.availableParallelism();
    const run = spawnSync(process.execPath, ["scripts/reproduce.ts", "cnn-4-8-3-16", "--wasm-threads", String(cores), "--jobs", "2"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--wasm-threads ${cores} x --jobs 2 is more threads than this machine's ${cores} cores`);
  });
});
