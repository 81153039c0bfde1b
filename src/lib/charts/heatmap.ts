/**
 * Heat maps as plain arrays: normalisation, bilinear resizing, colour maps and overlays. No tfjs
 * and no DOM, so the page can colour the Grad-CAM maps that the worker computes without loading
 * TensorFlow.js, and everything here is unit-testable in Node.
 */

/** Colour maps the Grad-CAM page offers. */
export type ColormapName = "inferno" | "jet";

/** Names of the colour maps, in the order the page lists them. */
export const COLORMAP_NAMES: readonly ColormapName[] = ["inferno", "jet"];

/**
 * matplotlib's "inferno" sampled at 17 evenly spaced points (0, 1/16, ..., 1), as published in
 * d3-scale-chromatic's table; linear interpolation between them is within a few levels of the
 * full 256-entry table, and perceptually uniform enough for a legend.
 */
const INFERNO_STOPS = [
  "000004",
  "0b0724",
  "210c4a",
  "3d0965",
  "57106e",
  "71196e",
  "8a226a",
  "a32c61",
  "bc3754",
  "d24644",
  "e45a31",
  "f1731d",
  "f98e09",
  "fcac11",
  "f9cb35",
  "f2ea69",
  "fcffa4",
].map((hex) => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)));

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * The colour of one value.
 * @param value in [0, 1] (clamped; NaN counts as 0)
 * @returns [r, g, b], each an integer in [0, 255]
 */
export function colorOf(value: number, colormap: ColormapName = "inferno"): [number, number, number] {
  const v = Number.isNaN(value) ? 0 : clamp01(value);
  if (colormap === "jet") {
    // The classic piecewise-linear MATLAB/OpenCV jet: blue -> cyan -> yellow -> red.
    const channel = (centre: number) => Math.round(255 * clamp01(1.5 - Math.abs(4 * v - centre)));
    return [channel(3), channel(2), channel(1)];
  }
  if (colormap !== "inferno") throw new Error(`Unknown colour map "${String(colormap)}": expected one of ${COLORMAP_NAMES.join(", ")}`);
  const position = v * (INFERNO_STOPS.length - 1);
  const i = Math.min(INFERNO_STOPS.length - 2, Math.floor(position));
  const t = position - i;
  const [a, b] = [INFERNO_STOPS[i], INFERNO_STOPS[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t)) as [number, number, number];
}

/**
 * Colour a heat map.
 * @param heatmap values in [0, 1], any length n (e.g. 28*28, row-major)
 * @returns RGBA bytes, length 4n, opaque (ready for `new ImageData(rgba, width, height)`)
 */
export function colorize(heatmap: ArrayLike<number>, colormap: ColormapName = "inferno"): Uint8ClampedArray {
  const table = colorTable(colormap);
  const out = new Uint8ClampedArray(heatmap.length * 4);
  for (let i = 0; i < heatmap.length; i++) {
    const v = heatmap[i];
    const j = Number.isNaN(v) ? 0 : Math.round(clamp01(v) * 255) * 3;
    out[i * 4] = table[j];
    out[i * 4 + 1] = table[j + 1];
    out[i * 4 + 2] = table[j + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

const tables = new Map<ColormapName, Uint8Array>();

/** 256 quantised colours of a map, as r, g, b triples. */
function colorTable(colormap: ColormapName): Uint8Array {
  let table = tables.get(colormap);
  if (!table) {
    table = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) table.set(colorOf(i / 255, colormap), i * 3);
    tables.set(colormap, table);
  }
  return table;
}

/**
 * Blend a coloured heat map over a grey-scale image: out = (1 - alpha) * grey + alpha * colour,
 * with the same alpha everywhere so the image stays readable under hot and cold regions alike.
 * @param imageBytes grey-scale pixels in [0, 255], length n (e.g. 784 for a 28x28 image)
 * @param heatmap values in [0, 1], length n
 * @param alpha weight of the heat map colour, in [0, 1]
 * @returns RGBA bytes, length 4n, opaque
 * @throws when the lengths differ or alpha is outside [0, 1]
 */
export function overlay(imageBytes: ArrayLike<number>, heatmap: ArrayLike<number>, alpha = 0.5, colormap: ColormapName = "inferno"): Uint8ClampedArray {
  if (imageBytes.length !== heatmap.length) {
    throw new Error(`overlay: the image has ${imageBytes.length} pixels but the heat map ${heatmap.length} values`);
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`overlay: alpha must be in [0, 1], got ${alpha}`);
  const colours = colorize(heatmap, colormap);
  const out = new Uint8ClampedArray(colours.length);
  for (let i = 0; i < heatmap.length; i++) {
    const grey = imageBytes[i] * (1 - alpha);
    out[i * 4] = grey + alpha * colours[i * 4];
    out[i * 4 + 1] = grey + alpha * colours[i * 4 + 1];
    out[i * 4 + 2] = grey + alpha * colours[i * 4 + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Grey-scale bytes as opaque RGBA, for drawing the plain image.
 * @param imageBytes pixels in [0, 255], length n
 * @returns RGBA bytes, length 4n
 */
export function greyToRgba(imageBytes: ArrayLike<number>): Uint8ClampedArray {
  const out = new Uint8ClampedArray(imageBytes.length * 4);
  for (let i = 0; i < imageBytes.length; i++) {
    out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = imageBytes[i];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * A CSS `linear-gradient(...)` of a colour map from 0 (left) to 1 (right), for the legend.
 * @param stops number of colour stops, at least 2
 */
export function colormapGradient(colormap: ColormapName = "inferno", stops = 17): string {
  const parts: string[] = [];
  for (let i = 0; i < stops; i++) {
    const t = i / (stops - 1);
    parts.push(`rgb(${colorOf(t, colormap).join(", ")}) ${Math.round(t * 1000) / 10}%`);
  }
  return `linear-gradient(to right, ${parts.join(", ")})`;
}

/**
 * Scale a non-negative map so its maximum is 1. A map with no positive value (no evidence for the
 * class at this layer) becomes all zeros rather than NaN.
 * @param values non-negative numbers (negative ones are clamped to 0)
 * @returns a new Float32Array in [0, 1], and the maximum before scaling
 */
export function normalizeByMax(values: ArrayLike<number>): { normalized: Float32Array; max: number } {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  const normalized = new Float32Array(values.length);
  if (max > 0) for (let i = 0; i < values.length; i++) normalized[i] = values[i] > 0 ? values[i] / max : 0;
  return { normalized, max };
}

/**
 * Bilinear resize of a single-channel map with half-pixel centres (the convention of OpenCV's
 * `cv2.resize` and tf.image.resizeBilinear with halfPixelCenters), so each source cell covers
 * the same share of the output and a peak stays where it was.
 * @param values row-major [height, width]
 * @returns row-major [outHeight, outWidth]; values stay within the input's range
 */
export function resizeBilinear(values: ArrayLike<number>, height: number, width: number, outHeight: number, outWidth: number): Float32Array {
  if (values.length !== height * width) {
    throw new Error(`resizeBilinear: expected ${height}x${width} = ${height * width} values, got ${values.length}`);
  }
  if (!(height > 0 && width > 0 && outHeight > 0 && outWidth > 0)) throw new Error("resizeBilinear: sizes must be positive");
  const out = new Float32Array(outHeight * outWidth);
  const sy = height / outHeight;
  const sx = width / outWidth;
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < outWidth; x++) {
      const fx = Math.min(width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const tx = fx - x0;
      const top = values[y0 * width + x0] * (1 - tx) + values[y0 * width + x1] * tx;
      const bottom = values[y1 * width + x0] * (1 - tx) + values[y1 * width + x1] * tx;
      out[y * outWidth + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * Nearest-neighbour enlargement of a square image by an integer factor (crisp pixels).
 * @param values row-major [size, size]
 * @returns row-major [size * factor, size * factor]
 */
export function enlargeNearest(values: ArrayLike<number>, size: number, factor: number): Float32Array {
  if (values.length !== size * size) throw new Error(`enlargeNearest: expected ${size}x${size} = ${size * size} values, got ${values.length}`);
  const out = new Float32Array(size * size * factor * factor);
  const side = size * factor;
  for (let y = 0; y < side; y++) {
    const row = Math.floor(y / factor) * size;
    for (let x = 0; x < side; x++) out[y * side + x] = values[row + Math.floor(x / factor)];
  }
  return out;
}

/**
 * The k largest entries of a probability vector.
 * @returns [{ index, probability }], largest first (ties: lower index first)
 */
export function topK(probabilities: ArrayLike<number>, k = 3): { index: number; probability: number }[] {
  return Array.from(probabilities, (probability, index) => ({ index, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, k);
}
