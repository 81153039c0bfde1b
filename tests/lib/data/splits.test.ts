import { describe, expect, it } from "vitest";
import { classCounts, epochBatches, fillBatch, makeSplits, PIXELS, stratifiedSplit, type ImageSet } from "../../../src/lib/data/splits.ts";

/** n images per class for 10 classes; image i has every pixel = i % 256 and label = i % 10. */
function fakeSet(perClass: number): ImageSet {
  const count = perClass * 10;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images.fill(i % 256, i * PIXELS, (i + 1) * PIXELS);
    labels[i] = i % 10;
  }
  return { images, labels, count };
}

describe("stratifiedSplit", () => {
  const set = fakeSet(60);
  it("takes the same number of validation images from every class", () => {
    const { train, validation } = stratifiedSplit(set.labels, 6, 42);
    expect(validation.length).toBe(60);
    expect(train.length).toBe(540);
    expect(classCounts([...validation].map((i) => set.labels[i]))).toEqual(new Array(10).fill(6));
    expect(classCounts([...train].map((i) => set.labels[i]))).toEqual(new Array(10).fill(54));
  });
  it("keeps train and validation disjoint and covering", () => {
    const { train, validation } = stratifiedSplit(set.labels, 6, 42);
    const all = new Set([...train, ...validation]);
    expect(all.size).toBe(600);
  });
  it("gives the same split for the same seed and another for another seed", () => {
    const a = stratifiedSplit(set.labels, 6, 42);
    const b = stratifiedSplit(set.labels, 6, 42);
    const c = stratifiedSplit(set.labels, 6, 43);
    expect([...a.validation]).toEqual([...b.validation]);
    expect([...a.train]).toEqual([...b.train]);
    expect(new Set(c.validation)).not.toEqual(new Set(a.validation));
  });
  it("rejects a class too small for the validation share", () => {
    expect(() => stratifiedSplit(new Uint8Array([0, 0, 1]), 2, 1)).toThrow(/class 1/);
  });
});

describe("makeSplits", () => {
  it("caps each split and keeps the test set apart", () => {
    const train = fakeSet(60);
    const test = fakeSet(10);
    const s = makeSplits(train, test, { splitSeed: 1, validationPerClass: 6, trainImages: 100, validationImages: 30, testImages: 50 });
    expect([s.train.count, s.validation.count, s.test.count]).toEqual([100, 30, 50]);
    expect(s.train.images.length).toBe(100 * PIXELS);
    const full = makeSplits(train, test, { splitSeed: 1, validationPerClass: 6 });
    expect(full.test).toBe(test);
    expect(full.train.count + full.validation.count).toBe(600);
  });
});

describe("batching", () => {
  it("cuts a seeded permutation into batches, the last one smaller", () => {
    const batches = epochBatches(10, 4, 5, 1);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(new Set(batches.flatMap((b) => [...b])).size).toBe(10);
    expect(epochBatches(10, 4, 5, 1).map((b) => [...b])).toEqual(batches.map((b) => [...b]));
    expect(epochBatches(10, 4, 5, 2).map((b) => [...b])).not.toEqual(batches.map((b) => [...b]));
  });
  it("fills scaled pixels in [0, 1] and labels", () => {
    const set = fakeSet(30); // image 255 has pixels 255
    const { pixels, labels } = fillBatch(set, [255, 3]);
    expect(pixels.length).toBe(2 * PIXELS);
    expect(pixels[0]).toBe(1);
    expect(pixels[PIXELS]).toBeCloseTo(3 / 255);
    expect([...labels]).toEqual([5, 3]);
  });
});
