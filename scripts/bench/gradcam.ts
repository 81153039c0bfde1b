/**
 * Grad-CAM latency per image, per backend, for `npm run bench` (scripts/bench.ts loads this
 * module): the 32-64-3-64 CNN at conv1 and conv2, and the 3x64 ResNet at its last block output and
 * its stem. Freshly built seeded models (the weights do not change the cost), seeded random images,
 * a few warm-up calls, then the mean over the measured calls of one computeGradCam (forward pass,
 * gradient of the class score, map, resize to 28x28, read back to JavaScript).
 *
 * Alone: node scripts/bench/gradcam.ts [--backends wasm,cpu] [--quick]
 */
import * as tf from "@tensorflow/tfjs";
import { pathToFileURL } from "node:url";
import type { BackendName } from "../../src/lib/backends/names.ts";
import { useBackend } from "../../src/lib/backends/use-backend.ts";
import { computeGradCam } from "../../src/lib/model/gradcam.ts";
import { buildModel } from "../../src/lib/model/builders.ts";
import { createRng } from "../../src/lib/data/random.ts";
import { configFromRowId } from "../../src/lib/study/study.ts";
import type { BenchCase } from "../bench.ts";
import { readCommandLine } from "../lib/cli.ts";

export const name = "gradcam";

const CASES: { rowId: string; layer: string }[] = [
  { rowId: "cnn-32-64-3-64", layer: "conv1" },
  { rowId: "cnn-32-64-3-64", layer: "conv2" },
  { rowId: "resnet-3x64", layer: "block3_out" },
  { rowId: "resnet-3x64", layer: "stem_relu" },
];

const round = (x: number) => Math.round(x * 100) / 100;

/** Mean Grad-CAM milliseconds per image for each case on each backend. */
export async function run({ backends, quick }: { backends: string[]; quick: boolean }): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  const rng = createRng(2024);
  const images = Array.from({ length: 8 }, () => Float32Array.from({ length: 784 }, () => rng()));
  for (const backend of backends) {
    await useBackend(backend as BackendName);
    for (const rowId of new Set(CASES.map((c) => c.rowId))) {
      const model = buildModel(configFromRowId(rowId), 1);
      for (const { layer } of CASES.filter((c) => c.rowId === rowId)) {
        const slow = backend === "cpu";
        const warmup = slow ? 1 : 3;
        const measured = slow ? (rowId.startsWith("resnet") ? 2 : 5) : quick ? 10 : 40;
        for (let i = 0; i < warmup; i++) await computeGradCam(model, images[i % images.length], { layer });
        const before = tf.memory().numTensors;
        const t0 = performance.now();
        for (let i = 0; i < measured; i++) await computeGradCam(model, images[i % images.length], { layer });
        const ms = (performance.now() - t0) / measured;
        cases.push({
          model: `${rowId}@${layer}`,
          backend,
          phase: "gradcam",
          milliseconds: round(ms),
          imagesPerSecond: round(1000 / ms),
          images: measured,
          leakedTensors: tf.memory().numTensors - before,
          note: `mean of ${measured} images after ${warmup} warm-up`,
        });
      }
      model.dispose();
    }
  }
  return cases;
}

const USAGE = `Usage: node scripts/bench/gradcam.ts [--backends wasm,cpu] [--quick]

Grad-CAM milliseconds per image for the study's CNN and ResNet (also part of npm run bench).

Options:
  --backends LIST   comma-separated tfjs backends (default wasm,cpu)
  --quick           fewer measured calls
  --help, -h        print this text`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = readCommandLine({
    usage: USAGE,
    options: { backends: { type: "string", default: "wasm,cpu" }, quick: { type: "boolean", default: false } },
  });
  for (const c of await run({ backends: values.backends.split(","), quick: values.quick })) {
    console.log(`${c.model.padEnd(26)} ${c.backend.padEnd(5)} ${String(c.milliseconds).padStart(9)} ms/image  (${c.note})`);
  }
}
