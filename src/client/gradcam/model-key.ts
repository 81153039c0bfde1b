/**
 * The Grad-CAM page's model keys, the values of its model menu: "shipped:<row id>" for a model
 * published with the site, "run:<run id>" for one the reader trained. The one place that builds
 * and reads them, and maps them to and from ?model= (the bare row or run id, absent for the default)
 * and to the source the worker loads.
 */
import type { ModelSource } from "../../workers/gradcam/service.ts";

/** A model key read. */
export type ModelRef = { kind: "shipped"; rowId: string } | { kind: "run"; runId: string };

/** The key of a published model. */
export const shippedKey = (rowId: string): string => `shipped:${rowId}`;

/** The key of a model the reader trained. */
export const runKey = (runId: string): string => `run:${runId}`;

/** Read a key; anything that is not "shipped:…" is a run. */
export function parseModelKey(key: string): ModelRef {
  return key.startsWith("shipped:") ? { kind: "shipped", rowId: key.slice("shipped:".length) } : { kind: "run", runId: key.slice(key.indexOf(":") + 1) };
}

/** Whether a key names a published model (false for null). */
export const isShippedKey = (key: string | null): boolean => key !== null && parseModelKey(key).kind === "shipped";

/**
 * The key ?model= asks for.
 * @param param the parameter's value, null when absent
 * @param shippedRowIds the published models' rows, the first being the default
 * @returns the default model's key when absent (null when nothing is published), a published row's key, else a run's
 */
export function keyFromParam(param: string | null, shippedRowIds: readonly string[]): string | null {
  if (!param) return shippedRowIds.length ? shippedKey(shippedRowIds[0]) : null;
  return shippedRowIds.includes(param) ? shippedKey(param) : runKey(param);
}

/**
 * The ?model= value of a key: null (no parameter) for the default model or no model.
 * @param defaultKey the key shown when ?model= is absent
 */
export function paramFromKey(key: string | null, defaultKey: string | null): string | null {
  if (!key || key === defaultKey) return null;
  const ref = parseModelKey(key);
  return ref.kind === "shipped" ? ref.rowId : ref.runId;
}

/** A model published with the site, as GradCamTool.astro lists it (paths relative to the site's base). */
export interface ShippedModel {
  rowId: string;
  label: string;
  modelPath: string;
  runPath: string | null;
}

/**
 * Where the worker loads a key's model from: a published model's URLs, else the reader's storage.
 * @param resolve turns a path relative to the site's base into a URL
 */
export function sourceForKey(key: string, shipped: readonly ShippedModel[], resolve: (path: string) => string): ModelSource {
  const ref = parseModelKey(key);
  const model = ref.kind === "shipped" ? shipped.find((m) => m.rowId === ref.rowId) : undefined;
  if (!model) return { kind: "stored", runId: ref.kind === "run" ? ref.runId : ref.rowId };
  return { kind: "url", url: resolve(model.modelPath), runUrl: model.runPath ? resolve(model.runPath) : undefined };
}
