/**
 * Site constants and display helpers shared by every page: title, navigation, provenance labels.
 * Number formats live in format.ts. Pure TypeScript (no DOM), so pages, client scripts and tests share it.
 */
import { describeProtocolSize } from "./format.ts";
import type { Protocol } from "./study/schema.ts";

/** Site title, shown in the header and in every `<title>`. */
export const SITE_TITLE = "Fashion-MNIST Live";
/** One-line description for `<meta name="description">`. */
export const SITE_DESCRIPTION =
  "A Fashion-MNIST image-classification study (a small CNN and a ResNet-style network) republished with every number traced to its source, and reproduced in TensorFlow.js.";

/** One entry of the main navigation; `path` is relative to the site base, without a leading slash. */
export interface NavItem {
  path: string;
  label: string;
}

/** The main navigation, in reading order. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: "", label: "Overview" },
  { path: "dataset/", label: "Dataset" },
  { path: "cnn-tuning/", label: "CNN tuning" },
  { path: "resnet-tuning/", label: "ResNet tuning" },
  { path: "best-model/", label: "Best model" },
  { path: "methodology/", label: "Methodology" },
  { path: "gradcam/", label: "Grad-CAM" },
];

/**
 * Where a number comes from. "reproduced" is this site's pipeline under the full protocol, the only
 * run set beside the original's numbers; "preliminary" is a run of a protocol shorter than the full one (quick,
 * smoke or custom), always shown with its protocol and never as "Reproduced".
 */
export type Provenance = "original" | "reproduced" | "preliminary" | "reader";

/** The label shown next to numbers of each provenance. */
export const PROVENANCE_LABELS: Record<Provenance, string> = {
  original: "Reported by the original study",
  reproduced: "Reproduced by this site's pipeline with the full protocol",
  preliminary: "A preliminary run of this site's pipeline (not the full protocol): not comparable with the original's numbers",
  reader: "Your rerun",
};

/** Short labels for table headers and chart legends. */
export const PROVENANCE_SHORT: Record<Provenance, string> = {
  original: "Original study",
  reproduced: "Reproduced (full protocol)",
  preliminary: "Preliminary run",
  reader: "Your rerun",
};

/** The name of a run under each protocol, for badges and chart legends. */
export const PROTOCOL_RUN_LABELS: Record<Protocol["name"], string> = {
  full: "Full protocol",
  quick: "Quick run",
  smoke: "Smoke run",
  custom: "Custom run",
};

/**
 * A run's protocol as a badge or legend names it.
 * @returns e.g. "Quick run (5,400 training images, 3 epochs)" or "Full protocol (54,000 training images, 10 epochs)"
 */
export function protocolRunLabel(protocol: Pick<Protocol, "name" | "trainImages" | "epochs">): string {
  return `${PROTOCOL_RUN_LABELS[protocol.name]} (${describeProtocolSize(protocol)})`;
}

/**
 * A run's protocol for the middle of a sentence or caption.
 * @returns e.g. "quick run (5,400 training images, 3 epochs)" or "full protocol (54,000 training images, 10 epochs)"
 */
export function protocolPhrase(protocol: Pick<Protocol, "name" | "trainImages" | "epochs">): string {
  const label = protocolRunLabel(protocol);
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/** Text shown where a configuration has no reproduced run yet. */
export const NOT_REPRODUCED = "not yet reproduced";
/** Text shown where a configuration has no full-protocol run yet (it may have a preliminary one). */
export const NOT_REPRODUCED_FULL = "not yet reproduced (full protocol)";

/** Path of the original study's README in the repository (the source of every original number). */
export const ORIGINAL_README_PATH = "docs/original-study-README.md";

/** Path, relative to the site base, of the published run records. */
export const RUNS_PATH = "data/runs/";

/**
 * The folder of run records a build publishes, relative to the project root: env SITE_RUNS_DIR
 * (the tests point it at fixtures) or `public/data/runs` (served as {@link RUNS_PATH}).
 * @param env the environment to read (`process.env` in Node; passed in so this module stays pure)
 */
export function runsFolder(env: Readonly<Record<string, string | undefined>>): string {
  return env.SITE_RUNS_DIR || `public/${RUNS_PATH}`;
}

/** Path, relative to the site base, of the generated dataset summary and sample images. */
export const SITE_DATA_PATH = "data/site/";

/**
 * Join the site base (`import.meta.env.BASE_URL`, with or without a trailing slash) and a path
 * relative to it, giving an absolute path that works at the root and under a sub-path.
 * @param base e.g. "/" or "/fashion-mnist" or "/fashion-mnist/"
 * @param path e.g. "dataset/" or "data/runs/x.json" (a leading slash is ignored)
 */
export function withBase(base: string, path: string): string {
  const head = base.endsWith("/") ? base : `${base}/`;
  return head + path.replace(/^\/+/, "");
}

/**
 * The command that reproduces one tuning-table row with a protocol preset.
 * @param rowId e.g. "cnn-32-64-3-64"
 * @param preset "full" | "quick" | "smoke"
 */
export function reproduceCommand(rowId: string, preset: string): string {
  return `npm run reproduce -- ${rowId} --preset ${preset}`;
}
