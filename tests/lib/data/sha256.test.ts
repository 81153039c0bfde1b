import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRng } from "../../../src/lib/data/random.ts";
import { sha256Hex, sha256HexPure } from "../../../src/lib/data/sha256.ts";

const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

function randomBytes(n: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = Math.floor(rng() * 256);
  return bytes;
}

function nodeSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

describe("sha256HexPure", () => {
  it("hashes the empty input", () => {
    expect(sha256HexPure(new Uint8Array(0))).toBe(EMPTY);
  });

  it('hashes "abc"', () => {
    expect(sha256HexPure(new TextEncoder().encode("abc"))).toBe(ABC);
  });

  it("hashes the two-block FIPS 180-2 vector", () => {
    const input = new TextEncoder().encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
    expect(sha256HexPure(input)).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("agrees with node:crypto at every length around the padding boundaries", () => {
    const bytes = randomBytes(200, 1);
    for (const n of [1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200]) {
      expect(sha256HexPure(bytes.subarray(0, n)), `length ${n}`).toBe(nodeSha256(bytes.subarray(0, n)));
    }
  });

  it("agrees with node:crypto on a 1 MB buffer", () => {
    const bytes = randomBytes(1 << 20, 2);
    expect(sha256HexPure(bytes)).toBe(nodeSha256(bytes));
  });

  it("hashes a view by its own bytes, not its whole buffer", () => {
    const bytes = randomBytes(300, 3);
    const view = bytes.subarray(17, 217);
    expect(sha256HexPure(view)).toBe(nodeSha256(view));
  });
});

describe("sha256Hex", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("uses Web Crypto when it is present", async () => {
    const bytes = randomBytes(1000, 4);
    const digest = vi.spyOn(globalThis.crypto.subtle, "digest");
    expect(await sha256Hex(bytes)).toBe(nodeSha256(bytes));
    expect(digest).toHaveBeenCalledOnce();
    digest.mockRestore();
  });

  it("falls back to the pure implementation without crypto.subtle", async () => {
    vi.stubGlobal("crypto", {});
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe(ABC);
  });

  it("falls back to the pure implementation without crypto at all", async () => {
    vi.stubGlobal("crypto", undefined);
    expect(await sha256Hex(new Uint8Array(0))).toBe(EMPTY);
  });

  it("hashes a view of a SharedArrayBuffer", async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(100));
    shared.set(randomBytes(100, 5));
    const view = shared.subarray(10, 90);
    expect(await sha256Hex(view)).toBe(nodeSha256(new Uint8Array(view)));
  });
});
