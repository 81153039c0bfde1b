/**
 * Compact per-image predictions in a run record: the predicted class of every test image as one
 * byte, base64-encoded (RFC 4648, with padding). 10,000 test images take 13,336 characters.
 * Hand-written so it behaves the same in Node, browsers and workers (no Buffer, no btoa on
 * binary strings).
 */
import { NUM_CLASSES } from "./study.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Base64 (RFC 4648, padded) of bytes. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + ALPHABET[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    out += `${ALPHABET[v >> 18]}${ALPHABET[(v >> 12) & 63]}==`;
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += `${ALPHABET[v >> 18]}${ALPHABET[(v >> 12) & 63]}${ALPHABET[(v >> 6) & 63]}=`;
  }
  return out;
}

/**
 * Bytes of a base64 string (RFC 4648, padded).
 * @throws Error on a length that is not a multiple of 4 or a character outside the alphabet
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error(`base64 length ${text.length} is not a multiple of 4`);
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const isPad = c === 61 && i + j >= text.length - padding;
      const d = isPad ? 0 : c < 128 ? LOOKUP[c] : -1;
      if (d < 0) throw new Error(`invalid base64 character ${JSON.stringify(text[i + j])} at ${i + j}`);
      v = (v << 6) | d;
    }
    if (o < out.length) out[o++] = (v >> 16) & 255;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

/**
 * The `testPredictions` field of a run record: predicted classes (0..9), one byte per test image
 * in the order of the run's test split, base64-encoded.
 */
export function encodePredictions(predicted: Uint8Array): string {
  return encodeBase64(predicted);
}

/**
 * Predicted classes from a record's `testPredictions`.
 * @param expectedLength the record's test image count, when known
 * @throws Error on bad base64, a wrong length or a class outside 0..9
 */
export function decodePredictions(text: string, expectedLength?: number): Uint8Array {
  const predicted = decodeBase64(text);
  if (expectedLength !== undefined && predicted.length !== expectedLength)
    throw new Error(`holds ${predicted.length} predictions for ${expectedLength} test images`);
  const bad = predicted.findIndex((c) => c >= NUM_CLASSES);
  if (bad !== -1) throw new Error(`prediction ${predicted[bad]} of image ${bad} is not a class 0..${NUM_CLASSES - 1}`);
  return predicted;
}
