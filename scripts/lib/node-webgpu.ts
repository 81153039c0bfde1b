/**
 * WebGPU in Node: Dawn, through the optional `webgpu` npm package (it ships a prebuilt
 * `dist/<platform>-<arch>/dawn.node` and runs no install step on Linux), installed as
 * `navigator.gpu` plus the `GPUBufferUsage`-style globals that tfjs-backend-webgpu reads.
 * Call {@link installNodeWebGpu} before `useBackend("webgpu")`: tfjs-backend-webgpu registers
 * itself only where `navigator.gpu` exists when it is first imported.
 *
 * Node-only (it loads a native addon), so it lives under scripts/ and never reaches a browser bundle.
 *
 * Dawn talks to the GPU through Vulkan on Linux: it needs the Vulkan loader `libvulkan.so.1`
 * (Debian's `libvulkan1`) and a driver (an ICD). Without a GPU, SwiftShader's Vulkan driver from
 * Debian's `chromium` package works (slowly: fine for numerics, meaningless for speed); Chromium
 * also carries its own copy of the loader, used here when `libvulkan1` is not installed.
 */
import { existsSync } from "node:fs";
import os from "node:os";

/** SwiftShader's Vulkan driver manifest, from Debian's `chromium` package. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Chromium's private copy of the Vulkan loader, the fallback when `libvulkan1` is absent. */
export const CHROMIUM_VULKAN_LOADER = "/usr/lib/chromium/libvulkan.so.1";

/** How to get an adapter, for error messages. */
export const NODE_WEBGPU_HELP =
  "WebGPU in Node needs the optional npm package `webgpu` (npm install webgpu), the Vulkan loader " +
  "(apt-get install libvulkan1) and a Vulkan driver: a GPU's (its ICD file is found in the standard " +
  "places, or name it with VK_ICD_FILENAMES=/path/to/icd.json), or, without a GPU, SwiftShader from " +
  `Debian's chromium package: VK_ICD_FILENAMES=${SWIFTSHADER_ICD} XDG_RUNTIME_DIR=/tmp (slow, for checking numerics).`;

/** Options for {@link installNodeWebGpu}. */
export interface NodeWebGpuOptions {
  /**
   * Use SwiftShader (software Vulkan) instead of whatever driver Vulkan finds: sets
   * VK_ICD_FILENAMES to {@link SWIFTSHADER_ICD} (and XDG_RUNTIME_DIR when unset) in this process.
   */
  swiftShader?: boolean;
}

/** What {@link installNodeWebGpu} found. */
export interface NodeWebGpuInfo {
  /** Adapter description: vendor, architecture, device, description (e.g. "google swiftshader ..."). */
  adapter: string;
  /** True when the adapter is a software fallback (SwiftShader). */
  software: boolean;
  /** The Vulkan loader in use: "system" (libvulkan1) or the path of Chromium's copy. */
  vulkanLoader: string;
  /** VK_ICD_FILENAMES as this process sees it, when set. */
  icd?: string;
}

/** Thrown when WebGPU cannot be set up in Node; the message says what to install or set. */
export class NodeWebGpuUnavailableError extends Error {
  override name = "NodeWebGpuUnavailableError";
}

type DawnModule = {
  create: (flags: string[]) => GPU;
  globals: Record<string, unknown>;
};
type GPU = { requestAdapter(options?: { powerPreference?: string }): Promise<Adapter | null> };
type Adapter = {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
};

// glibc's RTLD_NODELETE: Node does not export it. It keeps a library loaded after Node closes it.
const RTLD_NODELETE = 0x1000;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Makes `libvulkan.so.1` resolvable for Dawn's dlopen. When the system has none, Chromium's copy is
 * loaded by path with RTLD_NODELETE: glibc then hands it to any later dlopen("libvulkan.so.1") by
 * its soname. Node's dlopen "fails" (the library is no Node addon) after loading it; that is expected.
 */
function ensureVulkanLoader(): string {
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  const tryLoad = (name: string): string | null => {
    try {
      process.dlopen({ exports: {} }, name, flags);
      return null;
    } catch (error) {
      const text = message(error);
      // Loaded, but not a Node addon: the library is now in the process, which is all we want.
      return /did not self-register|Module did not|napi_register_module/i.test(text) ? null : text;
    }
  };
  const system = tryLoad("libvulkan.so.1");
  if (system === null) return "system";
  if (existsSync(CHROMIUM_VULKAN_LOADER) && tryLoad(CHROMIUM_VULKAN_LOADER) === null) return CHROMIUM_VULKAN_LOADER;
  throw new NodeWebGpuUnavailableError(`no Vulkan loader (libvulkan.so.1: ${system}). ${NODE_WEBGPU_HELP}`);
}

async function importDawn(): Promise<DawnModule> {
  try {
    // A variable specifier keeps bundlers and the type checker from requiring the optional package.
    const name = "webgpu";
    return (await import(name)) as DawnModule;
  } catch (error) {
    throw new NodeWebGpuUnavailableError(`the optional npm package 'webgpu' (Dawn) could not be loaded (${message(error)}). ${NODE_WEBGPU_HELP}`);
  }
}

function describeAdapter(adapter: Adapter): { adapter: string; software: boolean } {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s): s is string => !!s && s.trim() !== "");
  const adapterText = parts.length > 0 ? [...new Set(parts)].join(" ") : "unknown adapter";
  const software = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(adapterText);
  return { adapter: adapterText, software };
}

let installed: NodeWebGpuInfo | undefined;

/**
 * Installs WebGPU (Dawn) as `globalThis.navigator.gpu` in this Node process, after checking that it
 * offers an adapter. Idempotent: later calls return the first call's result (the driver cannot be
 * changed once Vulkan has started). Must run before `@tensorflow/tfjs-backend-webgpu` is imported.
 *
 * @throws NodeWebGpuUnavailableError naming what is missing (the `webgpu` package, the Vulkan
 *   loader, a driver / ICD, or SwiftShader's ICD) and how to install or select it.
 */
export async function installNodeWebGpu(options: NodeWebGpuOptions = {}): Promise<NodeWebGpuInfo> {
  if (installed) return installed;
  if (options.swiftShader) {
    if (!existsSync(SWIFTSHADER_ICD)) {
      throw new NodeWebGpuUnavailableError(`SwiftShader's Vulkan driver ${SWIFTSHADER_ICD} is missing (apt-get install chromium). ${NODE_WEBGPU_HELP}`);
    }
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // Dawn's Vulkan backend warns without a runtime dir; any writable folder does.
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
  const vulkanLoader = process.platform === "linux" ? ensureVulkanLoader() : "system";
  const dawn = await importDawn();
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    const icd = process.env.VK_ICD_FILENAMES;
    throw new NodeWebGpuUnavailableError(
      `Dawn found no WebGPU adapter (Vulkan loader: ${vulkanLoader}; VK_ICD_FILENAMES=${icd ?? "(unset)"}${icd && !existsSync(icd.split(":")[0]) ? ", a file that does not exist" : ""}). ${NODE_WEBGPU_HELP}`,
    );
  }
  Object.assign(globalThis, dawn.globals);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
  const icd = process.env.VK_ICD_FILENAMES;
  installed = { ...describeAdapter(adapter), vulkanLoader, ...(icd ? { icd } : {}) };
  return installed;
}

/**
 * Whether the pieces for SwiftShader WebGPU are on this machine, without loading anything:
 * `null` when they are, else the reason they are not (for a test's skip message).
 */
export async function swiftShaderWebGpuMissing(): Promise<string | null> {
  if (!existsSync(SWIFTSHADER_ICD)) return `SwiftShader's Vulkan ICD ${SWIFTSHADER_ICD} is missing (apt-get install chromium)`;
  try {
    const { createRequire } = await import("node:module");
    createRequire(import.meta.url).resolve("webgpu");
  } catch {
    return "the optional npm package 'webgpu' is not installed (npm install webgpu)";
  }
  return null;
}
