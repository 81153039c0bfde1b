import { describe, expect, it } from "vitest";
import {
  colorize,
  colormapGradient,
  colorOf,
  enlargeNearest,
  greyToRgba,
  normalizeByMax,
  overlay,
  resizeBilinear,
  topK,
} from "../../../src/lib/charts/heatmap.ts";

describe("colorOf", () => {
  it("runs inferno from near-black to pale yellow", () => {
    expect(colorOf(0, "inferno")).toEqual([0, 0, 4]);
    expect(colorOf(1, "inferno")).toEqual([252, 255, 164]);
  });
  it("runs jet from dark blue through green to dark red", () => {
    expect(colorOf(0, "jet")).toEqual([0, 0, 128]);
    expect(colorOf(0.5, "jet")).toEqual([128, 255, 128]);
    expect(colorOf(1, "jet")).toEqual([128, 0, 0]);
  });
  it("clamps values outside [0, 1] and treats NaN as 0", () => {
    expect(colorOf(-3)).toEqual(colorOf(0));
    expect(colorOf(7)).toEqual(colorOf(1));
    expect(colorOf(Number.NaN)).toEqual(colorOf(0));
  });
  it("rejects an unknown colour map", () => {
    expect(() => colorOf(0.5, "viridis" as never)).toThrow(/inferno, jet/);
  });
});

describe("colorize", () => {
  it("returns opaque RGBA, four bytes per value, from the colour map", () => {
    const rgba = colorize([0, 1], "jet");
    expect(Array.from(rgba)).toEqual([0, 0, 128, 255, 128, 0, 0, 255]);
  });
});

describe("overlay", () => {
  it("blends grey and colour with a constant alpha", () => {
    const [r, g, b, a] = overlay([200], [1], 0.25, "jet");
    expect([r, g, b, a]).toEqual([Math.round(150 + 32), 150, 150, 255]);
  });
  it("shows the plain image with alpha 0", () => {
    expect(Array.from(overlay([10, 20], [0.3, 0.9], 0))).toEqual([10, 10, 10, 255, 20, 20, 20, 255]);
  });
  it("rejects mismatched lengths and alpha outside [0, 1]", () => {
    expect(() => overlay([1, 2], [0.5], 0.5)).toThrow(/2 pixels.*1 values/);
    expect(() => overlay([1], [0.5], 1.5)).toThrow(/alpha/);
  });
});

describe("greyToRgba", () => {
  it("copies each grey level to r, g and b", () => {
    expect(Array.from(greyToRgba([7, 250]))).toEqual([7, 7, 7, 255, 250, 250, 250, 255]);
  });
});

describe("colormapGradient", () => {
  it("is a left-to-right CSS gradient from the map's first to last colour", () => {
    const css = colormapGradient("jet", 3);
    expect(css).toBe("linear-gradient(to right, rgb(0, 0, 128) 0%, rgb(128, 255, 128) 50%, rgb(128, 0, 0) 100%)");
  });
});

describe("normalizeByMax", () => {
  it("scales the maximum to 1 and reports it", () => {
    const { normalized, max } = normalizeByMax([0, 2, 4]);
    expect(Array.from(normalized)).toEqual([0, 0.5, 1]);
    expect(max).toBe(4);
  });
  it("turns a map without positive values into zeros", () => {
    const { normalized, max } = normalizeByMax([0, -1, 0]);
    expect(Array.from(normalized)).toEqual([0, 0, 0]);
    expect(max).toBe(0);
  });
});

describe("resizeBilinear", () => {
  it("keeps a constant map constant", () => {
    const out = resizeBilinear(new Float32Array(11 * 11).fill(0.4), 11, 11, 28, 28);
    expect(out).toHaveLength(784);
    out.forEach((v) => expect(v).toBeCloseTo(0.4, 6));
  });
  it("doubles a 2x2 map with half-pixel centres (as tf.image.resizeBilinear with halfPixelCenters)", () => {
    // Output pixel centres fall at source coordinates -0.25, 0.25, 0.75, 1.25 (clamped to 0..1).
    const out = resizeBilinear([0, 1, 2, 3], 2, 2, 4, 4);
    expect(Array.from(out.slice(0, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(out.slice(12, 16))).toEqual([2, 2.25, 2.75, 3]);
  });
  it("keeps a single peak at the matching place", () => {
    const map = new Float32Array(14 * 14);
    map[3 * 14 + 10] = 1;
    const out = resizeBilinear(map, 14, 14, 28, 28);
    const best = out.indexOf(Math.max(...out));
    const [y, x] = [Math.floor(best / 28), best % 28];
    expect([6, 7]).toContain(y);
    expect([20, 21]).toContain(x);
  });
  it("rejects a length that does not match the size", () => {
    expect(() => resizeBilinear([1, 2, 3], 2, 2, 4, 4)).toThrow(/2x2 = 4 values, got 3/);
  });
});

describe("enlargeNearest", () => {
  it("repeats each value in a factor x factor block", () => {
    expect(Array.from(enlargeNearest([1, 2, 3, 4], 2, 2))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe("topK", () => {
  it("returns the k largest, largest first, lower index first on ties", () => {
    expect(topK([0.1, 0.3, 0.3, 0.05, 0.25], 3)).toEqual([
      { index: 1, probability: 0.3 },
      { index: 2, probability: 0.3 },
      { index: 4, probability: 0.25 },
    ]);
  });
});
