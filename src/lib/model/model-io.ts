/**
 * Models as files in the tfjs layers format (`model.json` + one `weights.bin`), without the DOM or
 * Node's file system: the caller writes (Node) or downloads/transfers (browser) the bytes.
 */
import * as tf from "@tensorflow/tfjs";

/** A model in the tfjs format: `model.json` (whose manifest names `weightsFile`) and its weights bytes. */
export interface ModelFiles {
  modelJson: Record<string, unknown>;
  /** Concatenated little-endian float32 weights, in `modelJson.weightsManifest` order. */
  weights: Uint8Array;
}

/** Serialise a model to tfjs-format files; `weightsFile` is the name model.json refers to. */
export async function modelToFiles(model: tf.LayersModel, weightsFile = "weights.bin"): Promise<ModelFiles> {
  let files: ModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffer = data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
      files = {
        modelJson: {
          format: "layers-model",
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
        },
        weights: new Uint8Array(buffer),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return files!;
}

/** Load a model from tfjs-format files held in memory (e.g. from IndexedDB or a worker transfer). */
export async function modelFromFiles(files: ModelFiles): Promise<tf.LayersModel> {
  const manifest = files.modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[];
  const weightSpecs = manifest.flatMap((group) => group.weights);
  const bytes = files.weights;
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: files.modelJson.modelTopology as object, weightSpecs, weightData }));
}
