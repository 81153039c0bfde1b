/**
 * Which tfjs backend a reader's rerun trains on (and the Grad-CAM tool explains on), decided from
 * what the browser offers.
 *
 * Pure: it takes the facts gathered by `probeBackends` (src/lib/backends/probe.ts) and returns the
 * backends to try, best first, each with a plain-language reason the panel can show. A GPU backend
 * whose "GPU" is a software emulation (SwiftShader, llvmpipe, WebGPU's fallback adapter) trains
 * several times slower than WebAssembly, so it is ranked after wasm. Measured on a 2-core machine
 * without a GPU, CNN batch 64: wasm with the project's gradient kernels ~120 images/s, WebGL on
 * SwiftShader 15-20, cpu ~7, WebGPU on SwiftShader 5-6.
 */

import { BACKEND_LABELS, BACKEND_NAMES, type BackendChoice, type BackendName } from "./names.ts";

// The names live in names.ts (small enough for page code loaded up front); re-exported for callers of the choice.
export { BACKEND_LABELS, BACKEND_NAMES, type BackendChoice, type BackendName };

/** What a WebGL probe found. */
export interface WebGlProbe {
  available: boolean;
  /** 2 for WebGL 2, 1 for WebGL 1 (tfjs prefers 2). */
  version?: 1 | 2;
  /** Unmasked renderer string, e.g. "ANGLE (NVIDIA, ... Direct3D11 ...)" or "... SwiftShader ...". */
  renderer?: string;
  vendor?: string;
  /** True when a context could only be made with failIfMajorPerformanceCaveat off (the browser says: software). */
  majorPerformanceCaveat?: boolean;
  /** Why WebGL is unavailable. */
  error?: string;
}

/** What a WebGPU probe found. */
export interface WebGpuProbe {
  available: boolean;
  /** True when the adapter is the browser's fallback (a CPU implementation such as SwiftShader). */
  isFallbackAdapter?: boolean;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** Why WebGPU is unavailable (no navigator.gpu, no adapter, ...). */
  error?: string;
}

/** What a WebAssembly probe found. */
export interface WasmProbe {
  available: boolean;
  /** Whether the browser validates a SIMD module (tfjs then loads its faster SIMD binary). */
  simd?: boolean;
  error?: string;
}

/** Everything the choice depends on. The cpu backend always exists. */
export interface BackendProbes {
  webgpu: WebGpuProbe;
  webgl: WebGlProbe;
  wasm: WasmProbe;
}

/** One backend's standing, for the panel's "why this backend" list. */
export interface BackendAssessment {
  backend: BackendName;
  /** The browser offers it (it may still fail to start). */
  available: boolean;
  /** A GPU backend running on a software emulation of a GPU. */
  software: boolean;
  /** One sentence: what was found and where it ranks. */
  reason: string;
  /** Short device description for run records ("SwiftShader", "NVIDIA GeForce ...", ...), when known. */
  device?: string;
}

/** The ordered plan: backends to try, best first, and every backend's assessment. */
export interface BackendPlan {
  choice: BackendChoice;
  /** Backends to try, in order; empty when the reader's choice is unavailable. */
  candidates: BackendName[];
  /** One entry per backend, in BACKEND_NAMES order. */
  assessments: BackendAssessment[];
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render|mesa offscreen|swrast/i;

/** Whether a renderer / adapter description names a software rasteriser. */
export function isSoftwareRenderer(description: string | undefined): boolean {
  return description !== undefined && SOFTWARE_RENDERER.test(description);
}

function webGpuDevice(p: WebGpuProbe): string | undefined {
  const parts = [p.description, p.vendor, p.architecture, p.device].filter((s): s is string => !!s && s.trim() !== "");
  return parts.length > 0 ? [...new Set(parts)].join(" ") : undefined;
}

/** Assess each backend from the probes, in BACKEND_NAMES order. */
export function assessBackends(probes: BackendProbes): BackendAssessment[] {
  const gpu = probes.webgpu;
  const gpuDevice = webGpuDevice(gpu);
  const gpuSoftware = gpu.available && (gpu.isFallbackAdapter === true || isSoftwareRenderer(gpuDevice));
  const webgpu: BackendAssessment = {
    backend: "webgpu",
    available: gpu.available,
    software: gpuSoftware,
    device: gpuDevice,
    reason: !gpu.available
      ? `WebGPU unavailable: ${gpu.error ?? "no adapter"}.`
      : gpuSoftware
        ? `WebGPU adapter is a software fallback${gpuDevice ? ` (${gpuDevice})` : ""}: far slower than WebAssembly, tried last.`
        : `WebGPU adapter${gpuDevice ? ` ${gpuDevice}` : ""}: a hardware GPU, tried first.`,
  };

  const gl = probes.webgl;
  const glSoftware = gl.available && (gl.majorPerformanceCaveat === true || isSoftwareRenderer(gl.renderer));
  const glName = gl.version === 1 ? "WebGL 1" : "WebGL 2";
  const webgl: BackendAssessment = {
    backend: "webgl",
    available: gl.available,
    software: glSoftware,
    device: gl.renderer,
    reason: !gl.available
      ? `WebGL unavailable: ${gl.error ?? "no context"}.`
      : glSoftware
        ? `${glName} renderer is a software emulation${gl.renderer ? ` (${gl.renderer})` : ""}: slower than WebAssembly, ranked after it.`
        : `${glName} renderer${gl.renderer ? ` ${gl.renderer}` : ""}: a hardware GPU.`,
  };

  const wasm: BackendAssessment = {
    backend: "wasm",
    available: probes.wasm.available,
    software: false,
    reason: !probes.wasm.available
      ? `WebAssembly unavailable: ${probes.wasm.error ?? "not supported"}.`
      : `WebAssembly on the CPU${probes.wasm.simd === false ? " (no SIMD: slower)" : probes.wasm.simd ? " with SIMD" : ""}: the fastest choice without a hardware GPU.`,
  };

  const cpu: BackendAssessment = {
    backend: "cpu",
    available: true,
    software: false,
    reason: "Plain JavaScript: always works, the slowest; a last resort.",
  };
  return [webgpu, webgl, wasm, cpu];
}

/**
 * Rank of a backend in the automatic order (lower is tried first): hardware WebGPU, hardware
 * WebGL, wasm, software WebGL, cpu, software WebGPU.
 */
function autoRank(a: BackendAssessment): number {
  switch (a.backend) {
    case "webgpu":
      return a.software ? 5 : 0;
    case "webgl":
      return a.software ? 3 : 1;
    case "wasm":
      return 2;
    case "cpu":
      return 4;
  }
}

/**
 * The backends to try for a choice. "auto" orders every available backend by expected speed;
 * an explicit choice gives that backend alone (when the browser offers it), so a failure is
 * reported instead of silently training elsewhere.
 */
export function planBackends(probes: BackendProbes, choice: BackendChoice = "auto"): BackendPlan {
  if (choice !== "auto" && !BACKEND_NAMES.includes(choice)) {
    throw new Error(`Unknown backend "${String(choice)}": expected auto, ${BACKEND_NAMES.join(", ")}`);
  }
  const assessments = assessBackends(probes);
  const candidates =
    choice === "auto"
      ? assessments
          .filter((a) => a.available)
          .sort((a, b) => autoRank(a) - autoRank(b))
          .map((a) => a.backend)
      : assessments.filter((a) => a.backend === choice && a.available).map((a) => a.backend);
  return { choice, candidates, assessments };
}

/** One attempt at starting a backend. */
export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** Why it failed to start. */
  error?: string;
}

/**
 * Starts the first of `candidates` that works, in order (the trainer's and Grad-CAM's loop).
 * @param start makes a backend the active one; throws with the reason when it cannot
 * @param isActive whether a backend is already active (then it counts as started without `start`)
 * @returns the backend started (null when none could) and every attempt, in order
 */
export async function startFirstBackend(
  candidates: readonly BackendName[],
  start: (backend: BackendName) => Promise<unknown>,
  isActive: (backend: BackendName) => boolean = () => false,
): Promise<{ backend: BackendName | null; attempts: BackendAttempt[] }> {
  const attempts: BackendAttempt[] = [];
  for (const backend of candidates) {
    try {
      if (!isActive(backend)) await start(backend);
      attempts.push({ backend, ok: true });
      return { backend, attempts };
    } catch (error) {
      attempts.push({ backend, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { backend: null, attempts };
}

/**
 * One sentence telling the reader which backend was picked and why, given the plan and the
 * attempts made in its order.
 */
export function explainChoice(plan: BackendPlan, attempts: readonly BackendAttempt[]): string {
  const picked = attempts.find((a) => a.ok);
  const failed = attempts.filter((a) => !a.ok);
  const failures = failed.map((a) => `${BACKEND_LABELS[a.backend]} failed to start (${a.error ?? "unknown error"})`);
  if (!picked) {
    if (plan.candidates.length === 0 && plan.choice !== "auto") {
      const a = plan.assessments.find((x) => x.backend === plan.choice)!;
      return `${BACKEND_LABELS[plan.choice]} is not available in this browser: ${a.reason}`;
    }
    return `No backend could start. ${failures.join("; ")}.`;
  }
  const assessment = plan.assessments.find((a) => a.backend === picked.backend)!;
  const how = plan.choice === "auto" ? "Picked automatically" : "Your choice";
  const skipped =
    plan.choice === "auto"
      ? plan.assessments
          .filter((a) => a.backend !== picked.backend && !failed.some((f) => f.backend === a.backend) && autoRank(a) < autoRank(assessment))
          .map((a) => a.reason)
      : [];
  return [`${how}: ${BACKEND_LABELS[picked.backend]}. ${assessment.reason}`, ...failures.map((f) => `${f}.`), ...skipped].join(" ").replace(/\.\./g, ".");
}
