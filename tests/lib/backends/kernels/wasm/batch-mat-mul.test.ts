import { describe, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { compareWithCpu, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

describe("BatchMatMul on wasm matches the cpu backend", () => {
  it("with transposed operands, batched and broadcast", async () => {
    await compareWithCpu([2, 5, 7], (x) => {
      const y = x.slice([0, 0, 0], [2, 5, 5]);
      return [
        tf.matMul(x, x, true, false),
        tf.matMul(x, x, false, true),
        tf.matMul(y, x, true, false),
        tf.matMul(x.slice([0, 0, 0], [1, 5, 7]), x, true, false),
      ];
    });
  });
});
