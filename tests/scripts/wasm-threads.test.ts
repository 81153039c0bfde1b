import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { defaultWasmThreads, registerThreadedWasm } from "../../scripts/lib/wasm-threads.ts";
import os from "node:os";

/** Three training steps of a small CNN and ResNet in a child process with `threads` XNNPACK threads. */
function steps(threads: number) {
  const run = spawnSync(process.execPath, ["tests/helpers/wasm-threads-steps.ts", String(threads)], { encoding: "utf8", timeout: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  const line = run.stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as {
    threads: number;
    description: { threads?: boolean };
    cnn: { losses: number[]; leaked: number };
    resnet: { losses: number[]; leaked: number };
  };
}

describe("threaded wasm in Node", () => {
  it("runs tfjs-backend-wasm's threaded build on the threads asked for, with this project's kernels, to the same losses", () => {
    const one = steps(1);
    const two = steps(2);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.description.threads).toBe(true);
    for (const family of ["cnn", "resnet"] as const) {
      expect(two[family].leaked).toBe(0);
      expect(two[family].losses).toHaveLength(3);
      // XNNPACK splits work between threads by output tiles, so each number is summed the same way.
      expect(two[family].losses).toEqual(one[family].losses);
    }
  });

  it("divides the cores among jobs, at least one thread each, and refuses fewer than 2 threads", () => {
    const cores = os.availableParallelism();
    expect(defaultWasmThreads(1)).toBe(cores);
    expect(defaultWasmThreads(cores)).toBe(1);
    expect(defaultWasmThreads(cores * 4)).toBe(1);
    expect(() => registerThreadedWasm(1)).toThrow(/threads must be an integer >= 2, got 1/);
  });
});
