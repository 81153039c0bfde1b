import { describe, it } from "vitest";
import { compareWithCpu, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

describe("Tile on wasm matches the cpu backend", () => {
  it("rank 4 and rank 2", async () => {
    await compareWithCpu([1, 1, 3, 4], (x) => [x.tile([2, 3, 1, 2]), x.tile([5, 1, 2, 1])]);
    await compareWithCpu([2, 3], (x) => x.tile([3, 2]));
  });
});
