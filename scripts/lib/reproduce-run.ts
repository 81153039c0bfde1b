/**
 * One run of `npm run reproduce` in this process: resume from the run's checkpoint when there is
 * one, train with a checkpoint after every epoch, write the record (and the weights with
 * --save-model) atomically, then delete the checkpoint.
 */
import { join } from "node:path";
import { modelToFiles } from "../../src/lib/model/model-io.ts";
import { runRow, type RunEnvironment } from "../../src/lib/model/run-row.ts";
import type { ImageSet } from "../../src/lib/data/splits.ts";
import { configFromRowId } from "../../src/lib/study/study.ts";
import { runRecordSchema, type RunRecord } from "../../src/lib/study/schema.ts";
import { formatDuration, formatEta, formatLoss, formatPercent } from "../../src/lib/format.ts";
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { writeFileAtomic, writeFolderAtomic } from "./atomic-write.ts";
import { processCpuSeconds } from "./node-env.ts";
import { modelFolderName, type ReproduceTask } from "./reproduce-plan.ts";

/** Everything a run needs besides its task. */
export interface RunContext {
  trainSet: ImageSet;
  testSet: ImageSet;
  environment: RunEnvironment;
  evaluateTrain: boolean;
  /** Folder of `<row>/model.json` when weights are saved, else null. */
  modelsDir: string | null;
  signal: AbortSignal;
  /** Where progress lines go. */
  log: (line: string) => void;
  /** Overwrite the line in place (a terminal), or print every 5%. */
  tty: boolean;
  /**
   * Test hook: stop the process (exit code 75) right after the checkpoint of this epoch is
   * written, as a crash would (env REPRODUCE_TEST_EXIT_AFTER_EPOCH).
   */
  exitAfterEpoch?: number;
  /**
   * Test hook: after this epoch's checkpoint is written and logged, wait until `signal` aborts
   * (Ctrl-C, or the parent's SIGTERM), so that a test's signal always lands mid-run
   * (env REPRODUCE_TEST_HOLD_AFTER_EPOCH).
   */
  holdAfterEpoch?: number;
}

/** How a run ended. */
export type RunOutcome = { kind: "written"; record: RunRecord } | { kind: "interrupted"; epochs: number };

/** Train one task, resuming from its checkpoint, and write its record. */
export async function runTask(task: ReproduceTask, ctx: RunContext): Promise<RunOutcome> {
  const config = configFromRowId(task.rowId);
  const identity = { rowId: task.rowId, config, protocol: task.protocol, backend: ctx.environment.backend };
  const loaded = await loadCheckpoint(task.checkpointPath, identity);
  if (loaded && !loaded.ok) {
    ctx.log(`  checkpoint in ${task.checkpointPath} not used: ${loaded.reason}; starting afresh`);
    await removeCheckpoint(task.checkpointPath);
  }
  const resume = loaded?.ok ? loaded.checkpoint : undefined;
  if (resume) ctx.log(`  resuming after epoch ${resume.state.epoch} of ${task.protocol.epochs} (checkpoint ${task.checkpointPath})`);

  let lastLogged = -1;
  const { record, model, aborted, epochs } = await runRow({
    config,
    rowId: task.rowId,
    protocol: task.protocol,
    trainSet: ctx.trainSet,
    testSet: ctx.testSet,
    environment: ctx.environment,
    source: "pipeline",
    evaluateTrain: ctx.evaluateTrain,
    signal: ctx.signal,
    resume,
    cpuClock: processCpuSeconds,
    onCheckpoint: async (checkpoint) => {
      await saveCheckpoint(task.checkpointPath, identity, checkpoint);
      ctx.log(`  checkpoint saved after epoch ${checkpoint.state.epoch}`);
      if (ctx.exitAfterEpoch === checkpoint.state.epoch) process.exit(75);
      if (ctx.holdAfterEpoch === checkpoint.state.epoch && !ctx.signal.aborted) {
        // A pending promise does not keep Node alive (it would exit 0 here): a timer does, until the signal.
        const alive = setInterval(() => {}, 60_000);
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        clearInterval(alive);
      }
    },
    onBatch: (p) => {
      const pct = Math.floor(p.fraction * 100);
      const line =
        `  epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batchesPerEpoch}  loss ${formatLoss(p.loss)}  ` +
        `acc ${formatPercent(p.accuracy)}  ${p.imagesPerSecond.toFixed(0)} img/s  ETA ${formatEta(p.etaSeconds)}`;
      if (ctx.tty) process.stdout.write(`\r${line}\x1b[K`);
      else if (pct !== lastLogged && pct % 5 === 0) {
        lastLogged = pct;
        ctx.log(`${line}  (${pct}%)`);
      }
    },
    onEpoch: (r) => {
      if (ctx.tty) process.stdout.write("\r\x1b[K");
      ctx.log(
        `  epoch ${r.epoch}: loss ${formatLoss(r.loss)} acc ${formatPercent(r.accuracy)}  ` +
          `val loss ${r.valLoss?.toFixed(4)} val acc ${((r.valAccuracy ?? 0) * 100).toFixed(2)}%  ` +
          `${formatDuration(r.seconds)} (${r.imagesPerSecond.toFixed(0)} img/s)`,
      );
    },
    onPhase: (phase) => {
      if (phase.startsWith("evaluate")) ctx.log(`  ${phase.replace("-", " ")}…`);
    },
  });
  try {
    if (aborted || !record) return { kind: "interrupted", epochs: epochs.length };
    runRecordSchema.parse(record);
    if (ctx.modelsDir) {
      const folder = modelFolderName(task.rowId, task.seed);
      const files = await modelToFiles(model);
      const dir = join(ctx.modelsDir, folder);
      await writeFolderAtomic(dir, { "model.json": JSON.stringify(files.modelJson), "weights.bin": files.weights });
      record.modelPath = `models/${folder}/model.json`;
      ctx.log(`  model saved to ${join(dir, "model.json")} (${(files.weights.length / 1024).toFixed(0)} KiB of weights)`);
    }
    await writeFileAtomic(task.recordPath, `${JSON.stringify(record, null, 1)}\n`);
    await removeCheckpoint(task.checkpointPath);
    return { kind: "written", record };
  } finally {
    model.dispose();
  }
}
