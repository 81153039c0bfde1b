/**
 * Per-epoch checkpoints of an unfinished `npm run reproduce` run, so an interrupted run resumes
 * from its last finished epoch: model weights, Adam's state, the best epoch's weights, the epoch
 * history and the run's start time. The batch order of an epoch depends only on (seed, epoch),
 * so the epoch number is the whole position of the random generator.
 *
 * A checkpoint is a folder: `epoch-<n>.bin` (every tensor's float32/int32 values, concatenated,
 * little-endian) and `state.json` (everything else, with each tensor's name, shape, dtype and
 * byte offset). The .bin is written first and state.json last, each atomically, so a crash at any
 * moment leaves the previous checkpoint or the new one, never a torn one.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-write.ts";
import type { RunCheckpoint } from "../../src/lib/model/run-row.ts";
import type { SavedTensor } from "../../src/lib/model/saved-tensors.ts";
import type { TrainState } from "../../src/lib/model/train.ts";
import { epochRecordSchema, modelConfigSchema, protocolSchema, runPieceSchema, type ModelConfig, type Protocol } from "../../src/lib/study/schema.ts";
import { protocolDifference } from "./reproduce-plan.ts";

const tensorEntrySchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(["float32", "int32"]),
  /** Byte offset in the .bin file. */
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});

/** Schema of a checkpoint's state.json. */
export const checkpointMetaSchema = z.object({
  version: z.literal(1),
  rowId: z.string(),
  config: modelConfigSchema,
  protocol: protocolSchema,
  backend: z.string(),
  startedAt: z.string(),
  seconds: z.number().nonnegative(),
  /** Processor seconds of the run so far (absent when a piece went unmeasured, or in older checkpoints). */
  cpuSeconds: z.number().nonnegative().optional(),
  /** The run's pieces so far, each with its environment (absent in older checkpoints). */
  pieces: z.array(runPieceSchema).min(1).optional(),
  epoch: z.number().int().positive(),
  history: z.array(epochRecordSchema),
  bestEpoch: z.number().int().nonnegative(),
  bestAccuracy: z.number(),
  trainSeconds: z.number().nonnegative(),
  bin: z.string(),
  weights: z.array(tensorEntrySchema),
  bestWeights: z.array(tensorEntrySchema).nullable(),
  optimizer: z.array(tensorEntrySchema),
});
/** A checkpoint's state.json: identity, history and where each tensor's values lie in the .bin. */
export type CheckpointMeta = z.infer<typeof checkpointMetaSchema>;

/** What a checkpoint belongs to: it is only resumed for the same row, protocol and backend. */
export interface CheckpointIdentity {
  rowId: string;
  config: ModelConfig;
  protocol: Protocol;
  backend: string;
}

/** Write the checkpoint of a finished epoch into `dir`, replacing the previous one. */
export async function saveCheckpoint(dir: string, identity: CheckpointIdentity, checkpoint: RunCheckpoint): Promise<void> {
  const { state } = checkpoint;
  const groups = [state.weights, state.bestWeights ?? [], state.optimizer];
  const total = groups.flat().reduce((sum, t) => sum + t.values.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  const place = (tensors: readonly SavedTensor[]) =>
    tensors.map((t) => {
      bytes.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), offset);
      const entry = { name: t.name, shape: t.shape, dtype: t.dtype, offset, length: t.values.length };
      offset += t.values.byteLength;
      return entry;
    });
  const bin = `epoch-${state.epoch}.bin`;
  const meta: CheckpointMeta = {
    version: 1,
    ...identity,
    startedAt: checkpoint.startedAt,
    seconds: checkpoint.seconds,
    ...(checkpoint.cpuSeconds !== undefined ? { cpuSeconds: checkpoint.cpuSeconds } : {}),
    ...(checkpoint.pieces ? { pieces: checkpoint.pieces } : {}),
    epoch: state.epoch,
    history: state.history,
    bestEpoch: state.bestEpoch,
    bestAccuracy: state.bestAccuracy,
    trainSeconds: state.seconds,
    bin,
    weights: place(state.weights),
    bestWeights: state.bestWeights ? place(state.bestWeights) : null,
    optimizer: place(state.optimizer),
  };
  await writeFileAtomic(join(dir, bin), bytes);
  await writeFileAtomic(join(dir, "state.json"), `${JSON.stringify(meta)}\n`);
  for (const file of await readdir(dir)) if (file !== bin && file !== "state.json") await rm(join(dir, file), { force: true });
}

/** A loaded checkpoint, or why the folder cannot be resumed from. */
export type LoadedCheckpoint = { ok: true; checkpoint: RunCheckpoint } | { ok: false; reason: string } | null;

/**
 * Read the checkpoint in `dir` if it belongs to `identity`.
 * @returns null when there is none; `{ ok: false, reason }` when it is unreadable or belongs to
 *   another protocol or backend (the caller starts afresh and says why)
 */
export async function loadCheckpoint(dir: string, identity: CheckpointIdentity): Promise<LoadedCheckpoint> {
  const statePath = join(dir, "state.json");
  if (!existsSync(statePath)) return null;
  let meta: CheckpointMeta;
  let bytes: Uint8Array;
  try {
    meta = checkpointMetaSchema.parse(JSON.parse(await readFile(statePath, "utf8")));
    bytes = new Uint8Array(await readFile(join(dir, meta.bin)));
  } catch (error) {
    return { ok: false, reason: `unreadable (${(error as Error).message.split("\n")[0]})` };
  }
  if (meta.rowId !== identity.rowId) return { ok: false, reason: `it is of row ${meta.rowId}` };
  if (meta.backend !== identity.backend) return { ok: false, reason: `it ran on ${meta.backend}, not ${identity.backend}` };
  const difference = protocolDifference(meta.protocol, identity.protocol) ?? protocolDifference(identity.protocol, meta.protocol);
  if (difference) return { ok: false, reason: `its protocol differs: ${difference}` };
  // A checkpoint of the last epoch is resumed too: training is done and only the evaluation runs.
  if (meta.epoch > identity.protocol.epochs) return { ok: false, reason: `it is past the last epoch (${meta.epoch})` };
  const read = (entries: CheckpointMeta["weights"]): SavedTensor[] =>
    entries.map((e) => {
      const size = e.length * 4;
      if (e.offset + size > bytes.byteLength) throw new Error(`tensor ${e.name} runs past the end of ${meta.bin}`);
      const copy = bytes.slice(e.offset, e.offset + size).buffer;
      return { name: e.name, shape: e.shape, dtype: e.dtype, values: e.dtype === "int32" ? new Int32Array(copy) : new Float32Array(copy) };
    });
  try {
    const state: TrainState = {
      epoch: meta.epoch,
      history: meta.history,
      bestEpoch: meta.bestEpoch,
      bestAccuracy: meta.bestAccuracy,
      weights: read(meta.weights),
      bestWeights: meta.bestWeights ? read(meta.bestWeights) : null,
      optimizer: read(meta.optimizer),
      seconds: meta.trainSeconds,
    };
    const cpuSeconds = meta.cpuSeconds !== undefined ? { cpuSeconds: meta.cpuSeconds } : {};
    const pieces = meta.pieces ? { pieces: meta.pieces } : {};
    return { ok: true, checkpoint: { startedAt: meta.startedAt, seconds: meta.seconds, ...cpuSeconds, ...pieces, state } };
  } catch (error) {
    return { ok: false, reason: `unreadable (${(error as Error).message})` };
  }
}

/** Delete a run's checkpoint folder (when its record is written, or it is discarded). */
export async function removeCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
