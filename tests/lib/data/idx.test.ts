import { describe, expect, it } from "vitest";
import { encodeIdx, parseIdx } from "../../../src/lib/data/idx.ts";

/** An images file of n 28x28 images whose pixel i of image k is (k * 7 + i) mod 256. */
function makeImages(n: number): { bytes: Uint8Array; pixels: Uint8Array } {
  const pixels = new Uint8Array(n * 784);
  for (let k = 0; k < n; k++) for (let i = 0; i < 784; i++) pixels[k * 784 + i] = (k * 7 + i) % 256;
  return { bytes: encodeIdx([n, 28, 28], pixels), pixels };
}

describe("parseIdx", () => {
  it("reads a labels file: magic 0x00000801, dims [n]", () => {
    const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 5, 9, 0, 3, 7, 1]);
    const { dims, data } = parseIdx(bytes);
    expect(dims).toEqual([5]);
    expect(Array.from(data)).toEqual([9, 0, 3, 7, 1]);
  });

  it("reads an images file: magic 0x00000803, dims [n, 28, 28], big-endian sizes", () => {
    const { bytes, pixels } = makeImages(3);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28]);
    const { dims, data } = parseIdx(bytes);
    expect(dims).toEqual([3, 28, 28]);
    expect(data).toEqual(pixels);
  });

  it("returns a view into the input, not a copy", () => {
    const { bytes } = makeImages(2);
    const { data } = parseIdx(bytes);
    expect(data.buffer).toBe(bytes.buffer);
    expect(data.byteOffset).toBe(16);
    bytes[16] = 201;
    expect(data[0]).toBe(201);
  });

  it("reads a file that sits at an offset inside a larger buffer", () => {
    const inner = encodeIdx([2, 3], new Uint8Array([1, 2, 3, 4, 5, 6]));
    const outer = new Uint8Array(inner.length + 8);
    outer.set(inner, 5);
    const { dims, data } = parseIdx(outer.subarray(5, 5 + inner.length));
    expect(dims).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("accepts an empty file of zero items", () => {
    const { dims, data } = parseIdx(encodeIdx([0, 28, 28], new Uint8Array(0)));
    expect(dims).toEqual([0, 28, 28]);
    expect(data.length).toBe(0);
  });

  it("rejects a header shorter than the magic number", () => {
    expect(() => parseIdx(new Uint8Array([0, 0, 8]))).toThrow(/truncated header: expected at least 4 bytes \(the magic number\), found 3/);
  });

  it("rejects a bad magic number and says what it found", () => {
    const bytes = makeImages(1).bytes;
    bytes[1] = 0x12;
    expect(() => parseIdx(bytes, "train-images")).toThrow(/train-images: bad magic number: expected 0x0000TTNN.*0x00000803.*found 0x00120803/);
  });

  it("recognises gzip bytes in the bad-magic message", () => {
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]))).toThrow(/looks like gzip/);
  });

  it("rejects element types other than unsigned byte", () => {
    const bytes = makeImages(1).bytes;
    bytes[2] = 0x0d;
    expect(() => parseIdx(bytes)).toThrow(/unsupported element type: expected 0x08 \(unsigned byte\), found 0x0d \(float32\)/);
  });

  it("rejects zero dimensions", () => {
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 0]))).toThrow(/expected at least 1 dimension, found 0/);
  });

  it("rejects a header cut inside the dimension sizes", () => {
    const bytes = makeImages(1).bytes.subarray(0, 10);
    expect(() => parseIdx(bytes)).toThrow(/truncated header: expected 16 bytes \(magic \+ 3 dimension sizes\), found 10/);
  });

  it("rejects a negative dimension size", () => {
    const bytes = new Uint8Array([0, 0, 8, 1, 0xff, 0xff, 0xff, 0xfe]);
    expect(() => parseIdx(bytes)).toThrow(/dimension 0 is negative \(-2\)/);
  });

  it("rejects truncated data", () => {
    const bytes = makeImages(2).bytes;
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1))).toThrow(
      /truncated data: dims \[2, 28, 28\] need 1568 bytes after the 16-byte header, found 1567/,
    );
  });

  it("rejects trailing bytes after the data", () => {
    const good = encodeIdx([3], new Uint8Array([1, 2, 3]));
    const bytes = new Uint8Array(good.length + 2);
    bytes.set(good);
    expect(() => parseIdx(bytes, "labels")).toThrow(/labels: length mismatch: dims \[3\] need 3 bytes after the 8-byte header, found 5 \(2 trailing bytes\)/);
  });
});

describe("encodeIdx", () => {
  it("round-trips through parseIdx", () => {
    const data = new Uint8Array([0, 255, 128, 1, 2, 3]);
    const parsed = parseIdx(encodeIdx([3, 2], data));
    expect(parsed.dims).toEqual([3, 2]);
    expect(parsed.data).toEqual(data);
  });

  it("writes dimension sizes big-endian", () => {
    const bytes = encodeIdx([0x010203], new Uint8Array(0x010203));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 1, 2, 3]);
  });

  it("rejects data whose length does not match the dims", () => {
    expect(() => encodeIdx([2, 2], new Uint8Array(3))).toThrow(/dims \[2, 2\] need 4 elements, found 3/);
  });

  it("rejects non-integer or negative dims", () => {
    expect(() => encodeIdx([-1], new Uint8Array(0))).toThrow(/int32 >= 0/);
    expect(() => encodeIdx([1.5], new Uint8Array(0))).toThrow(/int32 >= 0/);
  });

  it("rejects an empty dims list", () => {
    expect(() => encodeIdx([], new Uint8Array(0))).toThrow(/expected 1 to 255 dimensions, found 0/);
  });
});
