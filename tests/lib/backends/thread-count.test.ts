import { describe, expect, it } from "vitest";
import { describeThreads, MAX_WASM_THREADS, wasmThreadCount } from "../../../src/lib/backends/thread-count.ts";

describe("wasmThreadCount", () => {
  it("is one thread when the page is not cross-origin isolated, whatever the cores", () => {
    expect(wasmThreadCount({ isolated: false, cores: 16 })).toBe(1);
    expect(wasmThreadCount({ cores: 16 })).toBe(1);
  });

  it("leaves the page one core, uses both of two, and one when the cores are unknown", () => {
    expect(wasmThreadCount({ isolated: true, cores: 8 })).toBe(7);
    expect(wasmThreadCount({ isolated: true, cores: 4 })).toBe(3);
    expect(wasmThreadCount({ isolated: true, cores: 2 })).toBe(2);
    expect(wasmThreadCount({ isolated: true, cores: 1 })).toBe(1);
    expect(wasmThreadCount({ isolated: true })).toBe(1);
    expect(wasmThreadCount({ isolated: true, cores: Number.NaN })).toBe(1);
  });

  it("never asks for more than emscripten's pre-started pool", () => {
    expect(wasmThreadCount({ isolated: true, cores: 64 })).toBe(MAX_WASM_THREADS);
  });
});

describe("describeThreads", () => {
  it("names the threads after the backend's label", () => {
    expect(describeThreads("WebAssembly", 7)).toBe("WebAssembly, 7 threads");
    expect(describeThreads("WebAssembly", 1)).toBe("WebAssembly, 1 thread");
    expect(describeThreads("WebGPU", undefined)).toBe("WebGPU");
  });
});
