// Sum and Mean share one reduction (src/lib/backends/kernels/wasm/sum.ts).
import { describe, it } from "vitest";
import { compareWithCpu, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

describe("Sum and Mean on wasm match the cpu backend", () => {
  it("over leading and middle axes, with and without keepDims, and the stock cases", async () => {
    await compareWithCpu([4, 5, 6, 7], (x) => [x.sum([0, 1, 2]), x.mean([1, 2]), x.sum([1], true), x.mean([0, 1], true), x.sum(-1), x.mean()]);
  });
});
