import { describe, expect, it } from "vitest";
import { decodeBase64, decodePredictions, encodeBase64, encodePredictions } from "../../../src/lib/study/predictions.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("base64", () => {
  it("encodes the RFC 4648 test vectors", () => {
    expect(["", "f", "fo", "foo", "foob", "fooba", "foobar"].map((s) => encodeBase64(bytes(s)))).toEqual([
      "",
      "Zg==",
      "Zm8=",
      "Zm9v",
      "Zm9vYg==",
      "Zm9vYmE=",
      "Zm9vYmFy",
    ]);
  });

  it("round-trips every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeBase64(encodeBase64(all))).toEqual(all);
    expect(encodeBase64(all)).toBe(Buffer.from(all).toString("base64"));
  });

  it("rejects a bad length or character", () => {
    expect(() => decodeBase64("abc")).toThrow(/multiple of 4/);
    expect(() => decodeBase64("ab!d")).toThrow(/invalid base64 character "!"/);
    expect(() => decodeBase64("a=bc")).toThrow(/invalid base64 character "="/);
  });
});

describe("test predictions", () => {
  it("packs 10,000 labels into 13,336 characters and back", () => {
    const predicted = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) % 10);
    const text = encodePredictions(predicted);
    expect(text).toHaveLength(13_336);
    expect(decodePredictions(text, 10_000)).toEqual(predicted);
  });

  it("rejects a wrong count or a class outside 0..9", () => {
    expect(() => decodePredictions(encodePredictions(new Uint8Array(3)), 4)).toThrow(/3 predictions for 4 test images/);
    expect(() => decodePredictions(encodePredictions(Uint8Array.of(1, 10)))).toThrow(/prediction 10 of image 1/);
  });
});
