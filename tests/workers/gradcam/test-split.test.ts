import { describe, expect, it } from "vitest";
import { loadTestSplit } from "../../../src/workers/gradcam/test-split.ts";
import { makeFakeFiles, makeServed } from "../../helpers/fake-fashion-mnist.ts";

function fetcherFor(served: Map<string, Uint8Array>, log: string[] = []) {
  return async (path: string): Promise<Uint8Array> => {
    log.push(path);
    const bytes = served.get(path);
    if (!bytes) throw new Error(`404 ${path}`);
    return bytes;
  };
}

describe("loadTestSplit", () => {
  it("returns the test images and labels, fetching only the two test files", async () => {
    const files = makeFakeFiles(5, 4, 2);
    const { manifest, served } = makeServed(files);
    const fetched: string[] = [];
    const split = await loadTestSplit(fetcherFor(served, fetched), manifest);
    expect(split.count).toBe(4);
    expect(Array.from(split.images)).toEqual(Array.from(files.testImages.values));
    expect(Array.from(split.labels)).toEqual(Array.from(files.testLabels.values));
    expect(fetched.sort()).toEqual([manifest.files.testImages.path, manifest.files.testLabels.path].sort());
  });

  it("names the file whose SHA-256 does not match", async () => {
    const { manifest, served } = makeServed(makeFakeFiles(5, 4, 2));
    const bad = structuredClone(manifest);
    bad.files.testLabels.rawSha256 = "0".repeat(64);
    await expect(loadTestSplit(fetcherFor(served), bad)).rejects.toThrow(/testLabels .*SHA-256 mismatch/);
  });

  it("names the file it could not fetch", async () => {
    const { manifest, served } = makeServed(makeFakeFiles(5, 4, 2));
    served.delete(manifest.files.testImages.path);
    await expect(loadTestSplit(fetcherFor(served), manifest)).rejects.toThrow(/testImages .*could not fetch/);
  });
});
