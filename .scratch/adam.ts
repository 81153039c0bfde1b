import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/lib/backends/use-backend.ts";
import { FusedAdam } from "../src/lib/model/fused-adam.ts";
for (const b of ["cpu", "wasm"]) {
  await useBackend(b as "cpu");
  const init = tf.randomNormal([5, 7], 0, 1, "float32", 3);
  const a = tf.variable(init.clone()), c = tf.variable(init.clone());
  const stock = tf.train.adam(0.01); const fused = new FusedAdam(0.01);
  for (let s = 0; s < 5; s++) {
    const g = tf.randomNormal([5, 7], 0, 1, "float32", 10 + s);
    stock.applyGradients([{ name: a.name, tensor: g }]);
    fused.applyToVariables([c], [g]);
    g.dispose();
  }
  const before = tf.memory().numTensors;
  console.log(b, tf.max(tf.abs(tf.sub(a, c))).dataSync()[0], tf.max(tf.abs(tf.sub(a, init))).dataSync()[0]);
  const p = await tf.profile(() => { const g = tf.onesLike(c); fused.applyToVariables([c], [g]); g.dispose(); });
  console.log(p.kernels.map((k) => k.name), tf.memory().numTensors - before);
}
