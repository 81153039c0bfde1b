/**
 * Copy tfjs-backend-wasm's .wasm binaries into public/data/tfjs-wasm/ (git-ignored), where the
 * rerun worker loads them from (setWasmPaths(`${BASE_URL}data/tfjs-wasm/`)), and the npm package
 * coi-serviceworker's script to public/coi-serviceworker.js (git-ignored), the service worker that
 * makes every page cross-origin isolated so that wasm can run on several threads (Base.astro
 * registers it). Run by `npm run build` and `npm run dev`; copies only files that are missing or differ.
 *   node scripts/copy-wasm.ts [--out public/data/tfjs-wasm] [--sw-out public/coi-serviceworker.js]
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { readCommandLine } from "./lib/cli.ts";

const USAGE = `Usage: node scripts/copy-wasm.ts [--out DIR]

Copies tfjs-backend-wasm's .wasm binaries where the rerun worker loads them from, and the
coi-serviceworker script (cross-origin isolation, hence wasm threads) to the site's root.

Options:
  --out DIR       destination (default public/data/tfjs-wasm)
  --sw-out FILE   where the service worker goes (default public/coi-serviceworker.js)
  --help, -h      print this text`;

const { out, "sw-out": swOut } = readCommandLine({
  usage: USAGE,
  options: { out: { type: "string", default: "public/data/tfjs-wasm" }, "sw-out": { type: "string", default: "public/coi-serviceworker.js" } },
}).values;
const require = createRequire(import.meta.url);
const dist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
const files = readdirSync(dist).filter((f) => f.endsWith(".wasm"));
if (files.length === 0) throw new Error(`copy-wasm: no .wasm files in ${dist}`);
// The threaded build's threads load this unminified script (src/lib/backends/threaded-wasm-script.ts).
const threadScript = { file: "tfjs-backend-wasm-threaded-simd.js", dir: join(dist, "../wasm-out") };
mkdirSync(out, { recursive: true });
let copied = 0;
for (const file of [...files, threadScript.file]) {
  const from = file === threadScript.file ? join(threadScript.dir, file) : join(dist, file);
  const to = join(out, file);
  if (existsSync(to) && statSync(to).size === statSync(from).size) continue;
  copyFileSync(from, to);
  copied++;
}
console.log(`copy-wasm: ${[...files, threadScript.file].join(", ")} in ${out} (${copied} copied)`);

// The service worker, byte for byte from the locked package (its window half registers it, its worker half adds COOP/COEP).
const sw = require.resolve("coi-serviceworker/coi-serviceworker.js");
const swSame = existsSync(swOut) && readFileSync(swOut).equals(readFileSync(sw));
if (!swSame) {
  mkdirSync(dirname(swOut), { recursive: true });
  copyFileSync(sw, swOut);
}
console.log(`copy-wasm: coi-serviceworker.js as ${swOut} (${swSame ? "up to date" : "copied"})`);
