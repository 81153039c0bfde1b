/**
 * Gather the facts `planBackends` needs: is there WebGPU (and is its adapter a software fallback),
 * WebGL (and is its renderer software), WebAssembly (with SIMD)? Uses only globals that exist in
 * dedicated workers (OffscreenCanvas, navigator.gpu, WebAssembly), so it runs in the trainer worker
 * before tfjs touches any backend; in Node it reports WebGL and WebGPU as unavailable.
 */
import type { BackendProbes, WasmProbe, WebGlProbe, WebGpuProbe } from "./choice.ts";

interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: GpuAdapterInfoLike;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Probe WebGPU the way tfjs asks for it (a high-performance adapter). */
export async function probeWebGpu(gpu: GpuLike | undefined = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu): Promise<WebGpuProbe> {
  if (!gpu) return { available: false, error: "navigator.gpu is missing (no WebGPU in this browser, or not a secure context)" };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { available: false, error: "navigator.gpu.requestAdapter() found no adapter" };
    const info: GpuAdapterInfoLike = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
    return {
      available: true,
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
      vendor: info.vendor || undefined,
      architecture: info.architecture || undefined,
      device: info.device || undefined,
      description: info.description || undefined,
    };
  } catch (error) {
    return { available: false, error: `requesting a WebGPU adapter failed: ${message(error)}` };
  }
}

type GlContext = WebGLRenderingContext | WebGL2RenderingContext;

function describeContext(gl: GlContext): { renderer?: string; vendor?: string } {
  const ext = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = ext ? (gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) as string) : (gl.getParameter(gl.RENDERER) as string);
  const vendor = ext ? (gl.getParameter(ext.UNMASKED_VENDOR_WEBGL) as string) : (gl.getParameter(gl.VENDOR) as string);
  return { renderer: renderer || undefined, vendor: vendor || undefined };
}

function release(gl: GlContext): void {
  gl.getExtension("WEBGL_lose_context")?.loseContext();
}

/**
 * Probe WebGL on an OffscreenCanvas (tfjs's webgl backend uses one in workers): WebGL 2, else 1;
 * first with failIfMajorPerformanceCaveat (which a browser refuses on a software renderer), then
 * without it. The probe's contexts are released at once.
 */
export function probeWebGl(): WebGlProbe {
  if (typeof OffscreenCanvas === "undefined") return { available: false, error: "OffscreenCanvas is missing (needed for WebGL in a worker)" };
  try {
    for (const [kind, version] of [
      ["webgl2", 2],
      ["webgl", 1],
    ] as const) {
      const hardware = new OffscreenCanvas(1, 1).getContext(kind, { failIfMajorPerformanceCaveat: true }) as GlContext | null;
      if (hardware) {
        const probe: WebGlProbe = { available: true, version, majorPerformanceCaveat: false, ...describeContext(hardware) };
        release(hardware);
        return probe;
      }
      const any = new OffscreenCanvas(1, 1).getContext(kind) as GlContext | null;
      if (any) {
        const probe: WebGlProbe = { available: true, version, majorPerformanceCaveat: true, ...describeContext(any) };
        release(any);
        return probe;
      }
    }
    return { available: false, error: "the browser gave no WebGL context (WebGL disabled or blocked)" };
  } catch (error) {
    return { available: false, error: `creating a WebGL context failed: ${message(error)}` };
  }
}

// The smallest module using a SIMD instruction (i8x16.splat): validates only where SIMD exists.
const SIMD_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Probe WebAssembly and its SIMD extension. */
export function probeWasm(): WasmProbe {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") {
    return { available: false, error: "WebAssembly is missing" };
  }
  let simd: boolean;
  try {
    simd = WebAssembly.validate(SIMD_MODULE);
  } catch {
    simd = false;
  }
  return { available: true, simd };
}

/** Probe every backend. Never throws: a failing probe reports `available: false` with its error. */
export async function probeBackends(): Promise<BackendProbes> {
  return { webgpu: await probeWebGpu(), webgl: probeWebGl(), wasm: probeWasm() };
}
