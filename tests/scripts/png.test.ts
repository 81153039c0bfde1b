import { crc32, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeGrayscalePng } from "../../scripts/lib/png.ts";

/** Split a PNG into chunks, checking each CRC. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

describe("encodeGrayscalePng", () => {
  const pixels = Uint8Array.from({ length: 3 * 2 }, (_, i) => i * 40);
  const png = encodeGrayscalePng(pixels, 3, 2);

  it("writes the PNG signature and IHDR, IDAT, IEND chunks with valid CRCs", () => {
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(chunks(png).map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
  });
  it("declares an 8-bit greyscale image of the given size", () => {
    const header = chunks(png)[0].data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9], header[12]]).toEqual([3, 2, 8, 0, 0]);
  });
  it("stores each row behind a filter byte", () => {
    const raw = inflateSync(chunks(png)[1].data);
    expect([...raw]).toEqual([0, 0, 40, 80, 0, 120, 160, 200]);
  });
  it("rejects pixels that do not match the size", () => {
    expect(() => encodeGrayscalePng(pixels, 4, 2)).toThrow(/expected 8 pixels/);
    expect(() => encodeGrayscalePng(pixels, 0, 6)).toThrow(/positive integers/);
  });
});
