import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/lib/backends/use-backend.ts";
import { buildModel } from "../src/lib/model/builders.ts";
import { configFromRowId } from "../src/lib/study/study.ts";
await useBackend("wasm");
const hist = (ks: { name: string }[]) => { const c: Record<string, number> = {}; for (const k of ks) c[k.name] = (c[k.name] ?? 0) + 1; return JSON.stringify(Object.entries(c).sort((a, b) => b[1] - a[1])); };
for (const row of ["cnn-32-64-3-64", "resnet-3x64"]) {
  const model = buildModel(configFromRowId(row), 1);
  const xs = tf.randomUniform([64, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 10), "int32"), 10).toFloat();
  const vars = model.trainableWeights.map((w) => (w as any).val as tf.Variable);
  const fwd = await tf.profile(() => { tf.tidy(() => { model.apply(xs, { training: true }); }); });
  console.log(row, "forward-no-tape", fwd.kernels.length, hist(fwd.kernels));
  const g = await tf.profile(() => { tf.tidy(() => { tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, vars); }); });
  console.log(row, "grads", g.kernels.length, hist(g.kernels));
}
