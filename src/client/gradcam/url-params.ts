/**
 * The Grad-CAM page's URL parameters checked one by one, without any DOM: each check gives the
 * value the page uses and, when the URL asked for something it cannot show, a sentence saying what
 * was wrong and what is shown instead (the page lists them in its [data-gradcam="url-problem"] box).
 */
import { BACKEND_NAMES, parseBackendChoice, type BackendChoice } from "../../lib/backends/names.ts";
import { formatCount } from "../../lib/format.ts";

/** A parameter's value as the page will use it, and what was wrong with the URL's, if anything. */
export interface ParamCheck<T> {
  value: T;
  /** E.g. "?image=abc is not an image number 0–9,999; showing image 0." Absent when the URL's value is used as is. */
  problem?: string;
}

/** How a raw URL value is quoted in a message: as typed, cut at 40 characters. */
function quoted(name: string, raw: string): string {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return `?${name}=${shown}`;
}

/**
 * ?image=: a test image index in [0, count - 1]. Absent or empty: image 0. A number past the last
 * image shows the last; anything else (negative, fractional, not a number) shows image 0.
 * @param count test images available (>= 1)
 */
export function checkImageParam(raw: string | null, count: number): ParamCheck<number> {
  const last = Math.max(0, count - 1);
  if (raw === null || raw.trim() === "") return { value: 0 };
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n <= last) return { value: n };
    return { value: last, problem: `${quoted("image", raw)} is past the last test image (${formatCount(last)}); showing image ${formatCount(last)}.` };
  }
  return { value: 0, problem: `${quoted("image", raw)} is not an image number 0–${formatCount(last)}; showing image 0.` };
}

/**
 * ?layer=: one of the model's layers. Absent or empty: the deepest (the usual Grad-CAM layer),
 * with no message; a name the model lacks: the deepest, with one.
 * @param layers the model's layers, shallowest first (at least one)
 */
export function checkLayerParam(raw: string | null, layers: readonly string[]): ParamCheck<string> {
  const deepest = layers[layers.length - 1];
  if (raw === null || raw === "" || layers.includes(raw)) return { value: raw || deepest };
  return { value: deepest, problem: `${quoted("layer", raw)} is not a layer of this model (${layers.join(", ")}); showing ${deepest}.` };
}

/**
 * ?target=: a class number in [0, classCount - 1], or null for the predicted class (absent or empty).
 * @param classCount number of classes (10)
 */
export function checkTargetParam(raw: string | null, classCount: number): ParamCheck<number | null> {
  if (raw === null || raw.trim() === "") return { value: null };
  const text = raw.trim();
  if (/^\d+$/.test(text) && Number(text) < classCount) return { value: Number(text) };
  return { value: null, problem: `${quoted("target", raw)} is not a class number 0–${classCount - 1}; explaining the predicted class.` };
}

/** ?backend=: a backend name or "auto"; absent or empty: "auto". */
export function checkBackendParam(raw: string | null): ParamCheck<BackendChoice> {
  if (raw === null || raw === "") return { value: "auto" };
  const parsed = parseBackendChoice(raw);
  if (parsed) return { value: parsed };
  return { value: "auto", problem: `${quoted("backend", raw)} is not a backend (auto, ${BACKEND_NAMES.join(", ")}); picking one automatically.` };
}
