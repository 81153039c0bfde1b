/**
 * The built site and a browser for the rerun tests: builds the site (unless E2E_SKIP_BUILD=1),
 * serves dist/ on a free port under its base path, and launches Debian chromium with software
 * WebGL and WebGPU (SwiftShader) enabled, as headless Chromium on a machine without a GPU offers.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { chromium, type Browser } from "playwright-core";

const ROOT = resolve(import.meta.dirname, "../..");

/** Chromium flags: headless, software WebGL (tfjs refuses it unless told) and WebGPU on SwiftShader. */
export const RERUN_CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--enable-unsafe-swiftshader",
  "--enable-unsafe-webgpu",
];

export function launchRerunBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: RERUN_CHROMIUM_ARGS });
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".gz": "application/gzip",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".bin": "application/octet-stream",
};

/** Build the site into `outDir` for `base` ("/" or "/sub/"). */
export function buildSite(base: string, outDir: string): void {
  if (process.env.E2E_SKIP_BUILD === "1" && existsSync(join(outDir, "reruns/index.html"))) return;
  const copy = spawnSync(process.execPath, ["scripts/copy-wasm.ts"], { cwd: ROOT, encoding: "utf8" });
  if (copy.status !== 0) throw new Error(`copy-wasm failed: ${copy.stderr}`);
  const result = spawnSync(process.execPath, ["node_modules/astro/bin/astro.mjs", "build", "--outDir", outDir], {
    cwd: ROOT,
    env: { ...process.env, SITE_BASE: base, ASTRO_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`astro build failed:\n${result.stdout}\n${result.stderr}`);
}

/** Serve `dir` under `base`; resolves with the site URL and a close function. */
export async function serveSite(dir: string, base: string): Promise<{ url: string; close: () => Promise<void> }> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (!path.startsWith(base)) return void res.writeHead(404).end();
    let file = resolve(root, path.slice(base.length));
    if (file !== root && !file.startsWith(root + sep)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}${base}`, close: () => new Promise((r) => server.close(() => r())) };
}
