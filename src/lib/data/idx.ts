/**
 * The IDX file format of the original MNIST (and Fashion-MNIST) distribution, unsigned-byte
 * variant only: two zero bytes, a type byte (0x08 = unsigned byte), a byte giving the number of
 * dimensions, that many big-endian int32 dimension sizes, then the elements in row-major order.
 * Images files have magic 0x00000803 and dims [n, 28, 28]; labels files 0x00000801 and dims [n].
 */

/** Magic number of an unsigned-byte IDX file with 3 dimensions (images: [n, rows, cols]). */
export const IDX_MAGIC_IMAGES = 0x00000803;
/** Magic number of an unsigned-byte IDX file with 1 dimension (labels: [n]). */
export const IDX_MAGIC_LABELS = 0x00000801;
/** IDX type code of unsigned bytes, the only element type this module reads or writes. */
export const IDX_TYPE_UBYTE = 0x08;

const TYPE_NAMES: Record<number, string> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

/** A parsed IDX file. */
export interface IdxFile {
  /** Dimension sizes, outermost first, e.g. [60000, 28, 28] or [60000]. */
  dims: number[];
  /**
   * The elements (values 0..255) in row-major order, length = product of dims. A view into the
   * bytes that were parsed (no copy): it shares their buffer and starts at byteOffset 4 + 4 * ndims.
   */
  data: Uint8Array;
}

function hex(value: number, digits: number): string {
  return "0x" + value.toString(16).padStart(digits, "0");
}

function describeType(code: number): string {
  return `${hex(code, 2)} (${TYPE_NAMES[code] ?? "unknown type"})`;
}

/**
 * Parses an unsigned-byte IDX file.
 * @param bytes the whole, decompressed file
 * @param name what to call the file in error messages
 * @returns dims and a zero-copy view of the elements
 * @throws Error naming what was expected and what was found, for a truncated header, bad magic,
 *   an element type other than unsigned byte, truncated data, or trailing bytes after the data
 */
export function parseIdx(bytes: Uint8Array, name = "IDX file"): IdxFile {
  if (bytes.length < 4) {
    throw new Error(`${name}: truncated header: expected at least 4 bytes (the magic number), found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${name}: bad magic number: expected 0x0000TTNN (two zero bytes, type, ndims; e.g. ` +
        `${hex(IDX_MAGIC_IMAGES, 8)} for images or ${hex(IDX_MAGIC_LABELS, 8)} for labels), found ${hex(magic, 8)}` +
        (bytes[0] === 0x1f && bytes[1] === 0x8b ? " (this looks like gzip: decompress it first)" : ""),
    );
  }
  const type = bytes[2];
  if (type !== IDX_TYPE_UBYTE) {
    throw new Error(`${name}: unsupported element type: expected ${describeType(IDX_TYPE_UBYTE)}, found ${describeType(type)}`);
  }
  const ndims = bytes[3];
  if (ndims === 0) {
    throw new Error(`${name}: bad magic number ${hex(magic, 8)}: expected at least 1 dimension, found 0`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(`${name}: truncated header: expected ${headerBytes} bytes (magic + ${ndims} dimension sizes), found ${bytes.length}`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const size = view.getInt32(4 + 4 * i, false);
    if (size < 0) {
      throw new Error(`${name}: dimension ${i} is negative (${size}): expected a size >= 0`);
    }
    dims.push(size);
    count *= size;
  }
  const dataBytes = bytes.length - headerBytes;
  if (dataBytes < count) {
    throw new Error(`${name}: truncated data: dims [${dims.join(", ")}] need ${count} bytes after the ${headerBytes}-byte header, ` + `found ${dataBytes}`);
  }
  if (dataBytes > count) {
    throw new Error(
      `${name}: length mismatch: dims [${dims.join(", ")}] need ${count} bytes after the ${headerBytes}-byte header, ` +
        `found ${dataBytes} (${dataBytes - count} trailing bytes)`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes, headerBytes + count) };
}

/**
 * Encodes elements as an unsigned-byte IDX file (the inverse of {@link parseIdx}).
 * @param dims dimension sizes, outermost first; 1 to 255 non-negative int32 values
 * @param data elements in row-major order, length = product of dims
 * @returns a new buffer of 4 + 4 * dims.length + data.length bytes
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 255) {
    throw new Error(`encodeIdx: expected 1 to 255 dimensions, found ${dims.length}`);
  }
  let count = 1;
  for (const size of dims) {
    if (!Number.isInteger(size) || size < 0 || size > 0x7fffffff) {
      throw new Error(`encodeIdx: expected dimension sizes to be int32 >= 0, found [${dims.join(", ")}]`);
    }
    count *= size;
  }
  if (data.length !== count) {
    throw new Error(`encodeIdx: dims [${dims.join(", ")}] need ${count} elements, found ${data.length}`);
  }
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + count);
  const view = new DataView(out.buffer);
  view.setUint8(2, IDX_TYPE_UBYTE);
  view.setUint8(3, dims.length);
  dims.forEach((size, i) => view.setInt32(4 + 4 * i, size, false));
  out.set(data, headerBytes);
  return out;
}
