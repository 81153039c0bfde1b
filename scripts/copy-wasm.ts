/**
 * Copy tfjs-backend-wasm's .wasm binaries into public/data/tfjs-wasm/ (git-ignored), where the
 * rerun worker loads them from (setWasmPaths(`${BASE_URL}data/tfjs-wasm/`)). Run by `npm run
 * build` and `npm run dev`; copies only files that are missing or differ in size.
 *   node scripts/copy-wasm.ts [--out public/data/tfjs-wasm]
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { readCommandLine } from "./lib/cli.ts";

const USAGE = `Usage: node scripts/copy-wasm.ts [--out DIR]

Copies tfjs-backend-wasm's .wasm binaries where the rerun worker loads them from.

Options:
  --out DIR       destination (default public/data/tfjs-wasm)
  --help, -h      print this text`;

const { out } = readCommandLine({ usage: USAGE, options: { out: { type: "string", default: "public/data/tfjs-wasm" } } }).values;
const require = createRequire(import.meta.url);
const dist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
const files = readdirSync(dist).filter((f) => f.endsWith(".wasm"));
if (files.length === 0) throw new Error(`copy-wasm: no .wasm files in ${dist}`);
mkdirSync(out, { recursive: true });
let copied = 0;
for (const file of files) {
  const from = join(dist, file);
  const to = join(out, file);
  if (existsSync(to) && statSync(to).size === statSync(from).size) continue;
  copyFileSync(from, to);
  copied++;
}
console.log(`copy-wasm: ${files.join(", ")} in ${out} (${copied} copied)`);
