/**
 * A minimal PNG encoder for 8-bit greyscale images (colour type 0, no interlace), enough for
 * Fashion-MNIST's 28x28 pixels. Node only (node:zlib).
 */
import { crc32, deflateSync } from "node:zlib";

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encode greyscale pixels as a PNG file.
 * @param pixels row-major bytes, 0 = black, 255 = white, length width * height
 * @param width image width in pixels (> 0)
 * @param height image height in pixels (> 0)
 * @returns the PNG file's bytes
 * @throws Error when the sizes do not match
 */
export function encodeGrayscalePng(pixels: Uint8Array, width: number, height: number): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new Error(`encodeGrayscalePng: width and height must be positive integers, got ${width}x${height}`);
  if (pixels.length !== width * height) throw new Error(`encodeGrayscalePng: expected ${width * height} pixels for ${width}x${height}, got ${pixels.length}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  // Every scanline starts with filter type 0 (None); deflate does the compressing.
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk("IHDR", header), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", new Uint8Array(0))]);
}
