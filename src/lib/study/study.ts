/**
 * The study: the original Keras write-up's published numbers (verbatim), the tuning grids this
 * site defines for each model family, and the training protocol with its presets.
 * Reproduced runs live as JSON under `public/data/runs/` (see `runRecordSchema`).
 */
import { originalStudySchema, protocolSchema, type CnnConfig, type OriginalStudy, type Protocol, type ResNetConfig } from "./schema.ts";
import type { PresetName } from "./preset-names.ts";
import { matchPreset } from "./same-protocol.ts";

/** Fashion-MNIST class names, by label. */
export const CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"] as const;
export const NUM_CLASSES = 10;
export const IMAGE_SIZE = 28;

export { batchRowId, configFromRowId, parseRowId, rowId } from "./row-id.ts";

const cnn = (conv1: number, conv2: number, kernel: number, dense: number): CnnConfig => ({
  family: "cnn",
  conv1,
  conv2,
  kernel,
  dense,
});
const resnet = (blocks: number, filters: number): ResNetConfig => ({ family: "resnet", blocks, filters });

/**
 * The original study's numbers, copied verbatim from its README (fractions here; the README
 * printed percentages). Precision/recall/F1 there agree with scikit-learn's weighted averages
 * (weighted recall equals accuracy on test and validation).
 */
export const ORIGINAL_STUDY: OriginalStudy = originalStudySchema.parse({
  source: "Original Keras study README (Fashion MNIST Classification), committed as docs/original-study-README.md",
  cnnTuning: [
    { id: "cnn-32-64-3-64", rank: 1, config: cnn(32, 64, 3, 64), valAccuracy: 0.9201 },
    { id: "cnn-64-128-3-64", rank: 2, config: cnn(64, 128, 3, 64), valAccuracy: 0.9189 },
    { id: "cnn-64-128-3-32", rank: 3, config: cnn(64, 128, 3, 32), valAccuracy: 0.9184 },
  ],
  resnetTuning: [
    { id: "resnet-3x64", rank: 1, config: resnet(3, 64), valAccuracy: 0.9281 },
    { id: "resnet-4x64", rank: 2, config: resnet(4, 64), valAccuracy: 0.9251 },
    { id: "resnet-5x64", rank: 3, config: resnet(5, 64), valAccuracy: 0.9211 },
  ],
  bestModel: {
    id: "resnet-3x64",
    config: resnet(3, 64),
    valAccuracy: 0.9281,
    test: { loss: 0.1954, accuracy: 0.9295, precision: 0.9308, recall: 0.9295, f1: 0.9298 },
    validation: { loss: 0.2226, accuracy: 0.9228, precision: 0.9244, recall: 0.9228, f1: 0.9233 },
    train: { loss: 0.1541, accuracy: 0.944, precision: 0.9483, recall: 0.9477, f1: 0.9478 },
  },
});

/** Hyper-parameter values of the CNN grid (a superset of the published rows). */
export const CNN_GRID = { conv1: [32, 64], conv2: [64, 128], kernel: [3, 5], dense: [32, 64, 128] } as const;
/** Hyper-parameter values of the ResNet grid (a superset of the published rows). */
export const RESNET_GRID = { blocks: [2, 3, 4, 5], filters: [32, 64] } as const;

/** Every CNN configuration of the grid: 2 x 2 x 2 x 3 = 24 rows. */
export function cnnGrid(): CnnConfig[] {
  const rows: CnnConfig[] = [];
  for (const conv1 of CNN_GRID.conv1)
    for (const conv2 of CNN_GRID.conv2) for (const kernel of CNN_GRID.kernel) for (const dense of CNN_GRID.dense) rows.push(cnn(conv1, conv2, kernel, dense));
  return rows;
}

/** Every ResNet configuration of the grid: 4 x 2 = 8 rows. */
export function resnetGrid(): ResNetConfig[] {
  const rows: ResNetConfig[] = [];
  for (const blocks of RESNET_GRID.blocks) for (const filters of RESNET_GRID.filters) rows.push(resnet(blocks, filters));
  return rows;
}

/** The published protocol (our choice where the write-up is silent; see the Methodology page). */
export const FULL_PROTOCOL: Protocol = protocolSchema.parse({
  name: "full",
  optimizer: "adam",
  learningRate: 0.001,
  batchSize: 64,
  epochs: 10,
  splitSeed: 42,
  seed: 1,
  trainImages: 54_000,
  validationImages: 6_000,
  testImages: 10_000,
  selection: "best-val-accuracy",
});

/** The presets' names live in preset-names.ts (free of zod, for the rerun panel); re-exported here with the protocols. */

/** Presets a reader (or `npm run reproduce --preset`) can pick. */
export const PROTOCOL_PRESETS: Record<PresetName, Protocol> = {
  full: FULL_PROTOCOL,
  /** A tenth of the data and fewer epochs: minutes, not hours. */
  quick: { ...FULL_PROTOCOL, name: "quick", epochs: 3, trainImages: 5_400, validationImages: 6_000, testImages: 10_000 },
  /** At most 1,024 training images and one epoch: a check in seconds. */
  smoke: { ...FULL_PROTOCOL, name: "smoke", epochs: 1, trainImages: 1_024, validationImages: 1_000, testImages: 1_000 },
};

/**
 * The preset a protocol is, setting for setting, or undefined for a custom protocol or one that
 * carries a preset's name with other settings (see `matchPreset`).
 */
export function presetOf(protocol: Protocol): PresetName | undefined {
  return matchPreset(protocol, PROTOCOL_PRESETS);
}
