import { describe, expect, it } from "vitest";
import { loadPreparedSplit } from "../../../src/lib/data/prepared.ts";
import { makeFakeFiles, makeServed } from "../../helpers/fake-fashion-mnist.ts";

function fetcherFor(served: Map<string, Uint8Array>, log: string[] = []) {
  return async (path: string): Promise<Uint8Array> => {
    log.push(path);
    const bytes = served.get(path);
    if (!bytes) throw new Error(`404 ${path}`);
    return bytes;
  };
}

describe("loadPreparedSplit", () => {
  it("returns the test images and labels, fetching only the two test files", async () => {
    const files = makeFakeFiles(5, 4, 2);
    const { manifest, served } = makeServed(files);
    const fetched: string[] = [];
    const split = await loadPreparedSplit(fetcherFor(served, fetched), manifest, "test");
    expect(split.count).toBe(4);
    expect(Array.from(split.images)).toEqual(Array.from(files.testImages.values));
    expect(Array.from(split.labels)).toEqual(Array.from(files.testLabels.values));
    expect(fetched.sort()).toEqual([manifest.files.testImages.path, manifest.files.testLabels.path].sort());
  });

  it("names the file whose SHA-256 does not match", async () => {
    const { manifest, served } = makeServed(makeFakeFiles(5, 4, 2));
    const bad = structuredClone(manifest);
    bad.files.testLabels.rawSha256 = "0".repeat(64);
    await expect(loadPreparedSplit(fetcherFor(served), bad, "test")).rejects.toThrow(/testLabels .*SHA-256 mismatch/);
  });

  it("names the file it could not fetch", async () => {
    const { manifest, served } = makeServed(makeFakeFiles(5, 4, 2));
    served.delete(manifest.files.testImages.path);
    await expect(loadPreparedSplit(fetcherFor(served), manifest, "test")).rejects.toThrow(/testImages .*could not fetch/);
  });
});
