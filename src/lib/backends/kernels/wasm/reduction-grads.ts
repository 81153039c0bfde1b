/**
 * Gradients of `Sum` and `Mean` without a full-size tensor of ones.
 *
 * tfjs-core's own gradients compute dx as reshape(dy) * ones(x.shape) (and / reduceSize for the
 * mean). `ones` is built as a JavaScript Float32Array and copied into the wasm heap: in a ResNet
 * 3x64 training step the batch-norm statistics and the global average pool make ~17 M floats
 * (~68 MB) of such arrays, which showed up as the largest JavaScript cost outside the kernels
 * plus garbage collection. Here dx is reshape(dy) broadcast to x's shape (the `Tile` kernel, a
 * block copy on wasm), with the mean's division done on the small tensor first. The values are
 * bit-for-bit those of the stock gradients (dy * 1 is dy; the same division per element).
 *
 * Gradients are registered per kernel name for every backend, not per backend, so these apply
 * to whichever backend runs; non-float32 gradients go to the stock gradient functions.
 */
import { broadcastTo, div, getGradient, Mean, registerGradient, reshape, Sum, util } from "@tensorflow/tfjs-core";
import type { GradConfig, MeanAttrs, NamedAttrMap, SumAttrs, Tensor } from "@tensorflow/tfjs-core";

/** Marks gradient functions registered here, so registering twice keeps the stock fallback. */
const OURS = Symbol.for("fashion-mnist-live.reduction-grads");

type MarkedGradConfig = GradConfig & { [OURS]?: true };

/** dy reshaped to x's rank with 1 on the reduced axes, as the stock gradients do. */
function expandDy(dy: Tensor, x: Tensor, axis: number | number[]): Tensor {
  const expanded = x.shape.slice();
  for (const a of util.parseAxisParam(axis, x.shape)) expanded[a] = 1;
  return reshape(dy, expanded);
}

function replaceGradient(kernelName: string, gradX: (dy: Tensor, x: Tensor, attrs: NamedAttrMap) => Tensor): void {
  const stock = getGradient(kernelName) as MarkedGradConfig | undefined;
  if (stock === undefined || stock[OURS] === true) return;
  const config: MarkedGradConfig = {
    kernelName,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const single = Array.isArray(dy) ? dy[0] : dy;
      if (single.dtype !== "float32" || x.dtype !== "float32") return stock.gradFunc(dy, saved, attrs);
      return { x: () => gradX(single, x, attrs) };
    },
  };
  config[OURS] = true;
  registerGradient(config);
}

/**
 * Replaces the `Sum` and `Mean` gradients with broadcasts (see the module comment). Safe to call
 * more than once; a no-op when tfjs-core has no gradient registered for them.
 */
export function registerReductionGradients(): void {
  replaceGradient(Sum, (dy, x, attrs) => broadcastTo(expandDy(dy, x, (attrs as unknown as SumAttrs).axis), x.shape));
  replaceGradient(Mean, (dy, x, attrs) => {
    const axis = (attrs as unknown as MeanAttrs).axis;
    const reduceSize = util.parseAxisParam(axis, x.shape).reduce((size, a) => size * x.shape[a], 1);
    return broadcastTo(div(expandDy(dy, x, axis), reduceSize), x.shape);
  });
}
