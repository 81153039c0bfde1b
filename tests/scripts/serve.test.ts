import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeBase, resolveRequest, startServer, type RunningServer } from "../../scripts/serve.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "serve-test-"));
  mkdirSync(join(dir, "dataset"));
  writeFileSync(join(dir, "index.html"), "<h1>home</h1>");
  writeFileSync(join(dir, "dataset", "index.html"), "<h1>dataset</h1>");
  writeFileSync(join(dir, "404.html"), "<h1>missing</h1>");
  writeFileSync(join(dir, "k.wasm"), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(dir, "d.json"), "{}");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveRequest", () => {
  it("normalises base paths", () => {
    expect(normalizeBase("")).toBe("/");
    expect(normalizeBase("fashion-mnist")).toBe("/fashion-mnist/");
    expect(normalizeBase("/fashion-mnist/")).toBe("/fashion-mnist/");
  });
  it("serves a folder's index.html under the base", () => {
    expect(resolveRequest(dir, "/fm/", "/fm/dataset/")).toEqual({ file: join(dir, "dataset", "index.html") });
    expect(resolveRequest(dir, "/fm/", "/fm/")).toEqual({ file: join(dir, "index.html") });
  });
  it("redirects folder paths without a trailing slash, and the bare base", () => {
    expect(resolveRequest(dir, "/fm/", "/fm/dataset")).toEqual({ redirect: "/fm/dataset/" });
    expect(resolveRequest(dir, "/fm/", "/fm")).toEqual({ redirect: "/fm/" });
  });
  it("refuses paths outside the base or the folder", () => {
    expect(resolveRequest(dir, "/fm/", "/dataset/")).toBeNull();
    expect(resolveRequest(dir, "/", "/%2e%2e/etc/passwd")).toBeNull();
  });
});

describe("startServer", () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer({ dir, base: "/fm/", port: 0 });
  });
  afterAll(() => running.close());

  it("reports the site URL with the base", () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fm\/$/);
  });
  it("sends WebAssembly and JSON with their MIME types", async () => {
    expect((await fetch(`${running.url}k.wasm`)).headers.get("content-type")).toBe("application/wasm");
    expect((await fetch(`${running.url}d.json`)).headers.get("content-type")).toMatch(/^application\/json/);
  });
  it("answers 404 with the site's 404 page", async () => {
    const response = await fetch(`${running.url}nope/`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("missing");
  });
});

describe("startServer with extra headers", () => {
  it("adds them to every file it serves", async () => {
    const running = await startServer({ dir, headers: { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } });
    try {
      const response = await fetch(`${running.url}k.wasm`);
      expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(response.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
      expect(response.headers.get("content-type")).toBe("application/wasm");
    } finally {
      await running.close();
    }
  });
});
