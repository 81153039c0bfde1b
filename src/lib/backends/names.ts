/**
 * The TensorFlow.js backends the site runs on, named once: the type, the order, the labels, and
 * the reader's choice (a backend or "auto") as it appears in ?backend= and in the pickers.
 * Tiny and free of tfjs, so that page code loaded up front (rerun-boot.ts) can import it.
 */

/** A tfjs backend the site can train and explain on. */
export type BackendName = "webgpu" | "webgl" | "wasm" | "cpu";

/** What the reader picked: a backend, or "auto" (the page decides from probes, see choice.ts). */
export type BackendChoice = BackendName | "auto";

/**
 * Every backend, in the order tried when all are hardware-backed and working (fastest first);
 * also the order of every backend picker and assessment list.
 */
export const BACKEND_NAMES: readonly BackendName[] = ["webgpu", "webgl", "wasm", "cpu"];

/** Human names of the backends, for pickers and explanations. */
export const BACKEND_LABELS: Readonly<Record<BackendName, string>> = {
  webgpu: "WebGPU",
  webgl: "WebGL",
  wasm: "WebAssembly",
  cpu: "Plain JavaScript (cpu)",
};

/** Label of the "auto" choice in pickers. */
export const AUTO_BACKEND_LABEL = "Automatic (fastest that works)";

/** Whether `value` names a backend. */
export function isBackendName(value: unknown): value is BackendName {
  return typeof value === "string" && (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Reads a backend choice, e.g. the ?backend= URL parameter.
 * @returns the choice ("auto" or a backend name), or undefined for anything else (absent, misspelt)
 */
export function parseBackendChoice(value: string | null | undefined): BackendChoice | undefined {
  return value === "auto" || isBackendName(value) ? value : undefined;
}
