/**
 * The WebGPU FusedAdam kernel and the few-kernel training step in a real WebGPU implementation:
 * Debian chromium's, on SwiftShader (a CPU Vulkan), so no GPU is needed. Bundles
 * tests/e2e/webgpu/train-step.page.ts with esbuild and serves it from memory; does not use the
 * built site. Skipped when chromium offers no WebGPU adapter.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./browser.ts";
import type { WebGpuChecks } from "./webgpu/train-step.page.ts";

const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader", "--enable-features=Vulkan", "--use-vulkan=swiftshader"];

let server: http.Server;
let browser: Browser;
let url: string;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [new URL("./webgpu/train-step.page.ts", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  const js = bundle.outputFiles[0].contents;
  server = http.createServer((request, response) => {
    if (request.url === "/page.js") {
      response.writeHead(200, { "content-type": "text/javascript" });
      response.end(js);
    } else {
      response.writeHead(200, { "content-type": "text/html" });
      response.end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...WEBGPU_ARGS] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe("training on WebGPU (SwiftShader)", () => {
  it("matches tf.train.adam and trainOnBatch, with few kernels and no leaks", async (context) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForFunction(() => "__runWebGpuChecks" in window, null, { timeout: 60_000 });
    const out = await page.evaluate(() => (window as unknown as { __runWebGpuChecks: () => Promise<WebGpuChecks> }).__runWebGpuChecks());
    await page.close();
    if (!out.adapter) context.skip("chromium offers no WebGPU adapter here");
    expect(out.error).toBeUndefined();
    console.info(`webgpu checks: ${JSON.stringify(out)}`);
    expect(errors).toEqual([]);
    expect(out.backend).toBe("webgpu");
    // Adam: bit-for-bit the same arithmetic in WGSL as tfjs's stock ops.
    expect(out.adamMoved).toBeGreaterThan(0.01);
    expect(out.adamDiff).toBeLessThan(1e-6);
    expect(out.adamKernels).toEqual(["FusedAdam", "FusedAdam", "FusedAdam"]);
    for (const step of out.steps ?? []) {
      expect(step.kind, step.family).toBe("graph");
      expect(step.lossDiff, step.family).toBeLessThan(1e-3);
      expect(step.correctDiff, step.family).toBe(0);
      expect(step.weightDiff, step.family).toBeLessThan(2e-5);
    }
    expect(out.steps).toHaveLength(2);
    expect(out.kernels?.["cnn-32-64-3-64"]).toBeLessThanOrEqual(100);
    expect(out.kernels?.["resnet-3x64"]).toBeLessThanOrEqual(350);
    expect(out.train).toEqual({ epochs: 2, batches: 12, leaked: 0, finite: true });
  }, 600_000);
});
