import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/lib/backends/use-backend.ts";
import { buildModel } from "../src/lib/model/builders.ts";
import { configFromRowId } from "../src/lib/study/study.ts";
const backend = process.argv[2] ?? "wasm";
await useBackend(backend as "wasm");
for (const row of ["cnn-32-64-3-64", "resnet-3x64"]) {
  const model = buildModel(configFromRowId(row), 1);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const xs = tf.randomUniform([64, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 10), "int32"), 10).toFloat();
  await model.trainOnBatch(xs, ys);
  const info = await tf.profile(async () => { await model.trainOnBatch(xs, ys); });
  const counts: Record<string, number> = {};
  for (const k of info.kernels) counts[k.name] = (counts[k.name] ?? 0) + 1;
  console.log(row, info.kernels.length, JSON.stringify(Object.entries(counts).sort((a, b) => b[1] - a[1])));
}
