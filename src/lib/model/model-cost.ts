/**
 * Arithmetic cost of the study's models: multiply-accumulates (MACs) of one image's forward pass
 * through the convolutions and dense layers of `buildModel(config)` (builders.ts), the layers that
 * dominate a training step (docs/wasm.md: convolutions are 88% of a ResNet step on wasm). Used to
 * scale a measured training time from one configuration to another of the same family.
 */
import type { ModelConfig } from "../study/schema.ts";
import { IMAGE_SIZE, NUM_CLASSES } from "../study/study.ts";

/**
 * MACs of one 28x28 image's forward pass (training costs about three times as much: forward, input
 * gradient, filter gradient). Pooling, batch norm, activations and the optimiser are left out.
 * CNN: 'valid' convolutions and 2x2 pools as in `buildCnn`; ResNet: 3x3 'same' convolutions, the
 * stem's pool halving 28x28 to 14x14 unless `stemPool` is false, as in `buildResNet`.
 * @returns MACs per image, e.g. 2,530,240 for cnn-32-64-3-64
 */
export function forwardMacsPerImage(config: ModelConfig): number {
  if (config.family === "cnn") {
    const { conv1, conv2, kernel, dense } = config;
    const out1 = IMAGE_SIZE - kernel + 1;
    const pooled1 = Math.floor(out1 / 2);
    const out2 = pooled1 - kernel + 1;
    const pooled2 = Math.floor(out2 / 2);
    const flat = pooled2 * pooled2 * conv2;
    return out1 * out1 * conv1 * kernel * kernel + out2 * out2 * conv2 * kernel * kernel * conv1 + flat * dense + dense * NUM_CLASSES;
  }
  const { blocks, filters } = config;
  const side = config.stemPool === false ? IMAGE_SIZE : IMAGE_SIZE / 2;
  const stem = IMAGE_SIZE * IMAGE_SIZE * filters * 9;
  const block = 2 * side * side * filters * 9 * filters;
  return stem + blocks * block + filters * NUM_CLASSES;
}
