/**
 * The Grad-CAM page's words, from the state's data: captions, labels, the model line and the
 * status line. Pure, so that the page (gradcam-page.ts) only puts them into the DOM.
 */
import { BACKEND_LABELS } from "../../lib/backends/names.ts";
import { describeThreads } from "../../lib/backends/thread-count.ts";
import { topK } from "../../lib/charts/heatmap.ts";
import { formatCount, formatMilliseconds, formatPercent } from "../../lib/format.ts";
import type { GradCamView, ModelInfo } from "../../workers/gradcam/service.ts";

const LAYER_LABELS: Record<string, string> = {
  conv1: "conv1 (first convolution)",
  conv2: "conv2 (second convolution)",
  stem_relu: "stem_relu (stem, before pooling)",
};

/** A layer as the menus name it, e.g. "block2_out (output of residual block 2)". */
export function layerLabel(name: string): string {
  return LAYER_LABELS[name] ?? name.replace(/^block(\d+)_out$/, "$& (output of residual block $1)");
}

/** The texts of the main panels for one view. */
export interface ViewText {
  imageCaption: string;
  imageLabel: string;
  heatmapCaption: string;
  heatmapLabel: string;
  predicted: string;
  truth: string;
  /** The three likeliest classes: their line and their bar's width in percent (at least 1). */
  top3: { text: string; barPercent: number }[];
  /** Shown when nothing at the layer counts in favour of the class. */
  emptyNote: string;
  empty: boolean;
}

/** The main panels' texts for `view`, class names from `names`. */
export function viewText(view: GradCamView, names: readonly string[]): ViewText {
  const [h, w] = view.rawShape;
  const correct = view.predicted === view.label;
  return {
    imageCaption: `Test image #${view.index}`,
    imageLabel: `Test image ${view.index}, a ${names[view.label]}`,
    heatmapCaption: `Grad-CAM at ${view.layer} (${h}×${w}) for “${names[view.targetClass]}”`,
    heatmapLabel: `Grad-CAM heat map at layer ${view.layer} for class ${names[view.targetClass]}`,
    predicted: names[view.predicted],
    truth: `True class: ${names[view.label]} — ${correct ? "correct" : "misclassified"}`,
    top3: topK(view.probabilities, 3).map(({ index, probability }) => ({
      text: `${names[index]}: ${formatPercent(probability, 1)}`,
      barPercent: Math.max(1, probability * 100),
    })),
    emptyNote: `Nothing at ${view.layer} counts in favour of “${names[view.targetClass]}” for this image, so the map is empty.`,
    empty: !(view.maxEvidence > 0),
  };
}

/** A side-by-side tile's caption, e.g. "conv2 (second convolution), 7×7". */
export function tileCaption(view: GradCamView): string {
  return `${layerLabel(view.layer)}, ${view.rawShape[0]}×${view.rawShape[1]}${view.maxEvidence > 0 ? "" : ": no positive evidence"}`;
}

/** The status line after every layer's map was computed. */
export function computedStatus(views: readonly GradCamView[], backend: string): string {
  const total = views.reduce((s, v) => s + v.milliseconds, 0);
  return `${views.length} maps in ${formatMilliseconds(total)} on ${backend} (${formatMilliseconds(total / views.length)} per map).`;
}

/**
 * The line under the model menu: name, size, backend, where the model came from and its run.
 * @param shipped whether the model was published with the site (else the reader trained it)
 * @param notice appended as is (e.g. why the model ?model= named is not the one shown)
 */
export function describeModel(m: ModelInfo, shipped: boolean, notice: string): string {
  const on = `running on ${describeThreads(BACKEND_LABELS[m.backend], m.wasmThreads !== undefined && m.wasmThreads > 1 ? m.wasmThreads : undefined)}${m.backendChoice === "auto" && !m.backendNote ? " (picked automatically)" : ""}`;
  const parts = [`${m.name}`, `${formatCount(m.parameters)} parameters`, on];
  if (m.backendNote) parts.push(m.backendNote);
  if (!shipped) parts.push("trained by you in this browser");
  if (m.run) {
    parts.push(`test accuracy ${formatPercent(m.run.testAccuracy)} (run ${m.run.runId}, ${m.run.protocol} protocol, best epoch ${m.run.bestEpoch})`);
  } else if (shipped) {
    parts.push("no run record was published with it");
  }
  return parts.join(" · ") + notice;
}
