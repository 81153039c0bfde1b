import { describe, expect, it } from "vitest";
import { assessBackends, explainChoice, isSoftwareRenderer, planBackends, startFirstBackend, type BackendProbes } from "../../../src/lib/backends/choice.ts";

const HARDWARE: BackendProbes = {
  webgpu: { available: true, isFallbackAdapter: false, vendor: "nvidia", architecture: "ampere" },
  webgl: { available: true, version: 2, renderer: "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)", majorPerformanceCaveat: false },
  wasm: { available: true, simd: true },
};
/** What headless Chromium with --enable-unsafe-swiftshader --enable-unsafe-webgpu offers on a machine without a GPU. */
const SWIFTSHADER: BackendProbes = {
  webgpu: { available: true, isFallbackAdapter: true, vendor: "google", architecture: "swiftshader", description: "SwiftShader Device (Subzero)" },
  webgl: {
    available: true,
    version: 2,
    renderer: "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
    majorPerformanceCaveat: true,
  },
  wasm: { available: true, simd: true },
};

describe("planBackends", () => {
  it("orders hardware WebGPU, WebGL, then wasm and cpu", () => {
    expect(planBackends(HARDWARE).candidates).toEqual(["webgpu", "webgl", "wasm", "cpu"]);
  });

  it("ranks software-emulated GPU backends after wasm, software WebGPU last", () => {
    expect(planBackends(SWIFTSHADER).candidates).toEqual(["wasm", "webgl", "cpu", "webgpu"]);
  });

  it("treats a context the browser flags with a major performance caveat as software", () => {
    const probes: BackendProbes = { ...HARDWARE, webgl: { available: true, version: 2, renderer: "Unknown", majorPerformanceCaveat: true } };
    expect(assessBackends(probes)[1].software).toBe(true);
    expect(planBackends(probes).candidates.indexOf("webgl")).toBeGreaterThan(planBackends(probes).candidates.indexOf("wasm"));
  });

  it("recognises a SwiftShader WebGPU adapter from its description when the fallback flag is missing", () => {
    const probes: BackendProbes = { ...HARDWARE, webgpu: { available: true, description: "SwiftShader Device (Subzero)" } };
    expect(assessBackends(probes)[0].software).toBe(true);
  });

  it("leaves out what the browser does not offer", () => {
    const probes: BackendProbes = {
      webgpu: { available: false, error: "navigator.gpu is missing" },
      webgl: { available: false, error: "no context" },
      wasm: { available: false, error: "WebAssembly is missing" },
    };
    expect(planBackends(probes).candidates).toEqual(["cpu"]);
  });

  it("gives a reader's explicit choice alone, or nothing when it is unavailable", () => {
    expect(planBackends(SWIFTSHADER, "webgpu").candidates).toEqual(["webgpu"]);
    const noGpu: BackendProbes = { ...SWIFTSHADER, webgpu: { available: false, error: "no adapter" } };
    const plan = planBackends(noGpu, "webgpu");
    expect(plan.candidates).toEqual([]);
    expect(explainChoice(plan, [])).toBe("WebGPU is not available in this browser: WebGPU unavailable: no adapter.");
  });

  it("throws on an unknown backend name", () => {
    expect(() => planBackends(HARDWARE, "metal" as never)).toThrow(/Unknown backend "metal"/);
  });
});

describe("explainChoice", () => {
  it("names the pick, the reason, and what failed before it", () => {
    const plan = planBackends(HARDWARE);
    const text = explainChoice(plan, [
      { backend: "webgpu", ok: false, error: "requestDevice failed" },
      { backend: "webgl", ok: true },
    ]);
    expect(text).toMatch(/^Picked automatically: WebGL\. WebGL 2 renderer ANGLE \(NVIDIA/);
    expect(text).toMatch(/WebGPU failed to start \(requestDevice failed\)/);
  });

  it("says why a software GPU was passed over for wasm", () => {
    const text = explainChoice(planBackends(SWIFTSHADER), [{ backend: "wasm", ok: true }]);
    expect(text).toMatch(/^Picked automatically: WebAssembly\./);
    expect(text).not.toMatch(/SwiftShader/); // nothing ranked above wasm was skipped
    expect(assessBackends(SWIFTSHADER)[1].reason).toMatch(/software emulation.*slower than WebAssembly/);
  });

  it("reports that no backend started", () => {
    const text = explainChoice(planBackends(HARDWARE), [
      { backend: "webgpu", ok: false, error: "a" },
      { backend: "cpu", ok: false, error: "b" },
    ]);
    expect(text).toBe("No backend could start. WebGPU failed to start (a); Plain JavaScript (cpu) failed to start (b).");
  });
});

describe("isSoftwareRenderer", () => {
  it("matches common software rasterisers and not hardware names", () => {
    for (const s of ["Google SwiftShader", "llvmpipe (LLVM 15.0.6, 256 bits)", "Microsoft Basic Render Driver", "lavapipe"])
      expect(isSoftwareRenderer(s)).toBe(true);
    for (const s of ["ANGLE (Intel, Intel(R) UHD Graphics 620)", "Apple M2", undefined]) expect(isSoftwareRenderer(s)).toBe(false);
  });
});

describe("startFirstBackend", () => {
  it("starts candidates in order until one works, recording each attempt", async () => {
    const started: string[] = [];
    const result = await startFirstBackend(["webgpu", "webgl", "wasm"], async (b) => {
      started.push(b);
      if (b === "webgpu") throw new Error("no adapter");
    });
    expect(started).toEqual(["webgpu", "webgl"]);
    expect(result).toEqual({
      backend: "webgl",
      attempts: [
        { backend: "webgpu", ok: false, error: "no adapter" },
        { backend: "webgl", ok: true },
      ],
    });
  });

  it("counts an already active backend as started without starting it, and gives null when none starts", async () => {
    const start = async () => {
      throw new Error("never");
    };
    expect(await startFirstBackend(["wasm"], start, (b) => b === "wasm")).toEqual({ backend: "wasm", attempts: [{ backend: "wasm", ok: true }] });
    expect((await startFirstBackend(["cpu"], start)).backend).toBeNull();
  });
});
