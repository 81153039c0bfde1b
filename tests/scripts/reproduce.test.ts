import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runRecordSchema, type RunRecord } from "../../src/lib/study/schema.ts";
import { parseRunRecord } from "../../src/lib/study/runs.ts";
import { decodePredictions } from "../../src/lib/study/predictions.ts";
import { readRuns } from "../../scripts/lib/read-runs.ts";
import { makeFakeFiles, makeServed } from "../helpers/fake-fashion-mnist.ts";

const root = mkdtempSync(join(tmpdir(), "reproduce-"));
const dataDir = join(root, "data");
// Each test that writes records has its own folder under root, so that the tests pass in any order.
const outDir = join(root, "runs");

function prepareFakeData(): void {
  const { manifest, served } = makeServed(makeFakeFiles(200, 50, 3));
  spawnSync("mkdir", ["-p", dataDir]);
  for (const [name, bytes] of served) writeFileSync(join(dataDir, name), bytes);
  writeFileSync(join(dataDir, "manifest.json"), JSON.stringify(manifest));
}

function reproduce(...args: string[]) {
  return reproduceIn(outDir, {}, ...args);
}

function reproduceIn(out: string, env: Record<string, string>, ...args: string[]) {
  return spawnSync(
    process.execPath,
    ["scripts/reproduce.ts", ...args, "--data", dataDir, "--out", out, "--checkpoints", join(out, "..", `${out.split("/").pop()}-checkpoints`)],
    { encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } },
  );
}

const readRecord = (dir: string, file: string): RunRecord => parseRunRecord(JSON.parse(readFileSync(join(dir, file), "utf8")), file);

/** A record without the fields that depend on when and how fast it ran. */
function timeless(record: RunRecord) {
  const {
    runId: _r,
    startedAt: _s,
    finishedAt: _f,
    wallTimeSeconds: _w,
    elapsedSeconds: _el,
    resumedAfterEpoch: _ra,
    pieces: _pieces,
    cpuSeconds: _cpu,
    environment: _e,
    epochs,
    ...rest
  } = record;
  return { ...rest, epochs: epochs.map(({ seconds: _sec, imagesPerSecond: _ips, cpuSeconds: _ecpu, ...e }) => e) };
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("npm run reproduce", () => {
  prepareFakeData();

  it("trains a row and writes a valid run record", () => {
    const out = join(root, "first-runs");
    const run = reproduceIn(out, {}, "cnn-4-8-3-16", "--preset", "smoke");
    expect(run.stderr).not.toMatch(/reproduce:/);
    expect(run.status).toBe(0);
    const files = readdirSync(out);
    expect(files).toEqual(["cnn-4-8-3-16.smoke.json"]);
    const record = runRecordSchema.parse(JSON.parse(readFileSync(join(out, files[0]), "utf8")));
    expect(record.rowId).toBe("cnn-4-8-3-16");
    expect(record.source).toBe("pipeline");
    expect(record.environment.backend).toBe("wasm");
    // The code's commit, where this is a git checkout (CI's clean clone is).
    const head = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" });
    if (head.status === 0) expect(record.environment.commit).toMatch(new RegExp(`^${head.stdout.trim()}(\\+changes)?$`));
    else expect(record.environment.commit).toBeUndefined();
    expect(record.epochs).toHaveLength(1);
    expect(record.metrics.test.images).toBe(50);
    // Stratified: the same number of validation images from each of the 10 classes, the rest trains.
    expect(record.protocol.validationImages % 10).toBe(0);
    expect(record.metrics.train!.images + record.protocol.validationImages).toBe(200);
    // Every test prediction, compactly, agreeing with the confusion matrix (parseRunRecord checks).
    expect(decodePredictions(record.testPredictions!, 50)).toHaveLength(50);
    expect(parseRunRecord(record, files[0]).rowId).toBe("cnn-4-8-3-16");
    // Processor time, of the run and of each epoch's training: on one thread about what it ran (Node's own threads add a little).
    expect(record.cpuSeconds).toBeGreaterThan(0);
    expect(record.cpuSeconds!).toBeLessThanOrEqual(record.wallTimeSeconds * 1.5 + 0.5);
    expect(record.epochs[0].cpuSeconds).toBeGreaterThan(0);
    expect(record.epochs[0].cpuSeconds!).toBeLessThanOrEqual(record.cpuSeconds!);
  });

  it("writes one record per seed, names all but the default seed's, and skips runs whose record exists", () => {
    const out = join(root, "seeds-runs");
    expect(reproduceIn(out, {}, "cnn-4-8-3-16", "--preset", "smoke").status).toBe(0);
    const before = statSync(join(out, "cnn-4-8-3-16.smoke.json")).mtimeMs;
    const run = reproduceIn(out, {}, "cnn-4-8-3-16", "--preset", "smoke", "--seeds", "1,2", "--no-train-metrics");
    expect(run.stderr).not.toMatch(/reproduce:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/skip cnn-4-8-3-16 seed 1: .*cnn-4-8-3-16\.smoke\.json exists/);
    expect(run.stdout).toMatch(/1 of 2 run\(s\) to do/);
    expect(statSync(join(out, "cnn-4-8-3-16.smoke.json")).mtimeMs).toBe(before);
    const seed2 = readRecord(out, "cnn-4-8-3-16.smoke.seed-2.json");
    // Another seed is the same protocol (not "custom"), with its own weights and batches.
    expect(seed2.protocol).toMatchObject({ name: "smoke", seed: 2 });
    expect(seed2.runId).toMatch(/^cnn-4-8-3-16\.smoke\.seed-2\./);
    expect(seed2.epochs[0].loss).not.toBe(readRecord(out, "cnn-4-8-3-16.smoke.json").epochs[0].loss);
    // Both publish like any other record.
    expect(readRuns(out).map((r) => r.file)).toEqual(expect.arrayContaining(["cnn-4-8-3-16.smoke.json", "cnn-4-8-3-16.smoke.seed-2.json"]));
  });

  it("runs rows in parallel child processes with --jobs, each record as an in-process run writes it", () => {
    const jobsOut = join(root, "jobs-runs");
    const run = reproduceIn(jobsOut, {}, "cnn-4-8-3-16", "cnn-4-8-3-8", "--preset", "smoke", "--seeds", "3", "--jobs", "2", "--no-train-metrics");
    expect(run.stderr).not.toMatch(/reproduce:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\[cnn-4-8-3-16 seed 3\] started \(pid \d+\)/);
    expect(run.stdout).toMatch(/\[cnn-4-8-3-8 seed 3\] +done in/);
    expect(run.stdout).toMatch(/2 of 2 run\(s\) finished/);
    expect(readdirSync(jobsOut).sort()).toEqual(["cnn-4-8-3-16.smoke.seed-3.json", "cnn-4-8-3-8.smoke.seed-3.json"]);
    const single = join(root, "single-runs");
    expect(reproduceIn(single, {}, "cnn-4-8-3-8", "--preset", "smoke", "--seed", "3", "--no-train-metrics").status).toBe(0);
    expect(timeless(readRecord(jobsOut, "cnn-4-8-3-8.smoke.seed-3.json"))).toEqual(timeless(readRecord(single, "cnn-4-8-3-8.smoke.seed-3.json")));
  });

  it("resumes an interrupted run from its last finished epoch, on other threads, to the record of an uninterrupted run", () => {
    const args = ["cnn-4-8-3-16", "--preset", "quick", "--epochs", "3", "--seeds", "5", "--no-train-metrics"];
    const cutOut = join(root, "cut-runs");
    const cutCheckpoint = join(root, "cut-runs-checkpoints", "cnn-4-8-3-16.quick.seed-5");
    // Dies right after writing epoch 2's checkpoint, as a crash or a kill would leave it.
    const crashed = reproduceIn(cutOut, { REPRODUCE_TEST_EXIT_AFTER_EPOCH: "2" }, ...args);
    expect(crashed.status).toBe(75);
    expect(crashed.stdout).toMatch(/checkpoint saved after epoch 2/);
    expect(existsSync(join(cutOut, "cnn-4-8-3-16.quick.seed-5.json"))).toBe(false);
    expect(readdirSync(cutCheckpoint).sort()).toEqual(["epoch-2.bin", "state.json"]);
    const firstPiece = JSON.parse(readFileSync(join(cutCheckpoint, "state.json"), "utf8"));
    const firstPieceCpu = firstPiece.cpuSeconds as number;
    expect(firstPieceCpu).toBeGreaterThan(0);
    expect(firstPiece.pieces).toMatchObject([{ afterEpoch: 0, environment: { backend: "wasm" } }]);

    // The rest runs on two wasm threads: the record keeps each piece's environment.
    const resumed = reproduceIn(cutOut, {}, ...args, "--wasm-threads", "2");
    expect(resumed.stderr).not.toMatch(/reproduce:/);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/resuming after epoch 2 of 3/);
    expect(resumed.stdout).not.toMatch(/epoch 1:/);
    expect(existsSync(cutCheckpoint)).toBe(false);

    const wholeOut = join(root, "whole-runs");
    expect(reproduceIn(wholeOut, {}, ...args).status).toBe(0);
    // The resumed record says so and keeps its elapsed time beside its training time; the whole one was never resumed.
    const cut = readRecord(cutOut, "cnn-4-8-3-16.quick.seed-5.json");
    const whole = readRecord(wholeOut, "cnn-4-8-3-16.quick.seed-5.json");
    expect(cut.resumedAfterEpoch).toBe(2);
    expect(whole.resumedAfterEpoch).toBeUndefined();
    expect(cut.pieces?.map((p) => [p.afterEpoch, p.environment.wasmThreads ?? 1])).toEqual([
      [0, 1],
      [2, 2],
    ]);
    expect(cut.pieces![0].startedAt).toBe(cut.startedAt);
    expect(cut.environment).toEqual(cut.pieces![1].environment);
    expect(whole.pieces).toBeUndefined();
    expect(cut.elapsedSeconds).toBeCloseTo((Date.parse(cut.finishedAt) - Date.parse(cut.startedAt)) / 1000, 1);
    expect(cut.elapsedSeconds!).toBeGreaterThanOrEqual(cut.wallTimeSeconds - 1);
    expect(whole.elapsedSeconds).toBeCloseTo((Date.parse(whole.finishedAt) - Date.parse(whole.startedAt)) / 1000, 1);
    // Processor time goes through the checkpoint: the resumed record counts both pieces, every epoch its own.
    expect(cut.epochs.every((e) => e.cpuSeconds !== undefined && e.cpuSeconds > 0)).toBe(true);
    expect(cut.cpuSeconds!).toBeGreaterThan(cut.epochs.reduce((sum, e) => sum + e.cpuSeconds!, 0));
    expect(cut.cpuSeconds!).toBeGreaterThanOrEqual(firstPieceCpu + cut.epochs[2].cpuSeconds!);
    const a = timeless(cut);
    const b = timeless(whole);
    expect(a.epochs).toHaveLength(3);
    a.epochs.forEach((e, i) => {
      expect(e.loss).toBeCloseTo(b.epochs[i].loss, 5);
      expect(e.valAccuracy).toBe(b.epochs[i].valAccuracy);
    });
    expect(a.bestEpoch).toBe(b.bestEpoch);
    expect(a.metrics.test.accuracy).toBe(b.metrics.test.accuracy);
    expect(a.metrics.test.loss).toBeCloseTo(b.metrics.test.loss, 5);
    expect(a.testPredictions).toBe(b.testPredictions);
  });

  it("stops every child on Ctrl-C under --jobs, and the next invocation resumes what was unfinished", async () => {
    const out = join(root, "ctrl-c-runs");
    const args = [
      "cnn-4-8-3-16",
      "cnn-4-8-3-8",
      "--epochs",
      "5",
      "--train-images",
      "160",
      "--val-images",
      "20",
      "--seeds",
      "7",
      "--jobs",
      "2",
      "--no-train-metrics",
    ];
    const command = ["scripts/reproduce.ts", ...args, "--data", dataDir, "--out", out, "--checkpoints", join(root, "ctrl-c-checkpoints")];
    // Each child waits after epoch 1's checkpoint until it is asked to stop: Ctrl-C always lands mid-run.
    const parent = spawn(process.execPath, command, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, REPRODUCE_TEST_HOLD_AFTER_EPOCH: "1" } });
    let stdout = "";
    let held: string | null = null;
    parent.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      // Ctrl-C (once) as soon as one run has a finished epoch: it must stop, keep that epoch and exit 130.
      const saved = /\[(\S+) seed 7\] +checkpoint saved after epoch 1/.exec(stdout);
      if (held === null && saved) {
        held = `${saved[1]}.custom.seed-7`;
        parent.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolveExit) => parent.on("close", resolveExit));
    expect(code).toBe(130);
    // Neither run can finish before the interruption: both stop, and both resume.
    expect(stdout).toMatch(/interrupted: 2 run\(s\) stop after their current batch/);
    expect(stdout).toMatch(/\[cnn-4-8-3-16 seed 7\] interrupted/);
    expect(stdout).toMatch(/\[cnn-4-8-3-8 seed 7\] interrupted/);
    const files = ["cnn-4-8-3-16.custom.seed-7", "cnn-4-8-3-8.custom.seed-7"];
    expect(files.filter((f) => existsSync(join(out, `${f}.json`)))).toEqual([]);
    expect(existsSync(join(root, "ctrl-c-checkpoints", held!, "state.json"))).toBe(true);

    const again = spawnSync(process.execPath, command, { encoding: "utf8", timeout: 120_000 });
    expect(again.stderr).not.toMatch(/reproduce:/);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/resuming after epoch 1 of 5/);
    for (const f of files) expect(readRecord(out, `${f}.json`).epochs).toHaveLength(5);
    expect(readdirSync(join(root, "ctrl-c-checkpoints"))).toEqual([]);
  });

  it("does not resume a checkpoint of another protocol", () => {
    const out = join(root, "other-runs");
    const args = ["cnn-4-8-3-16", "--preset", "quick", "--epochs", "2", "--seeds", "6", "--no-train-metrics"];
    expect(reproduceIn(out, { REPRODUCE_TEST_EXIT_AFTER_EPOCH: "1" }, ...args, "--learning-rate", "0.002").status).toBe(75);
    const other = reproduceIn(out, {}, ...args);
    expect(other.status).toBe(0);
    expect(other.stdout).toMatch(/not used: its protocol differs: learningRate 0.002 \(asked 0.001\); starting afresh/);
    expect(other.stdout).toMatch(/epoch 1:/);
  });

  it("names a capped protocol custom", () => {
    const out = join(root, "capped-runs");
    const run = reproduceIn(out, {}, "resnet-1x4", "--preset", "quick", "--epochs", "1", "--no-train-metrics");
    expect(run.status).toBe(0);
    const record = runRecordSchema.parse(JSON.parse(readFileSync(join(out, "resnet-1x4.custom.json"), "utf8")));
    expect(record.protocol).toMatchObject({ name: "custom", epochs: 1 });
    expect(record.metrics.train).toBeUndefined();
    // Its record exists: a run of another capping is not overwritten without --force.
    const again = reproduceIn(out, {}, "resnet-1x4", "--preset", "quick", "--epochs", "2", "--no-train-metrics");
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/exists with another protocol \(epochs 1 \(asked 2\)\); --force replaces it/);
    expect(runRecordSchema.parse(JSON.parse(readFileSync(join(out, "resnet-1x4.custom.json"), "utf8"))).protocol.epochs).toBe(1);
  });

  it("trains ablation rows: -b<N> at batch N under its own row id, -nopool without the stem pool", () => {
    const out = join(root, "ablation-runs");
    const run = reproduceIn(out, {}, "cnn-4-8-3-16-b16", "resnet-1x4-nopool", "--preset", "smoke", "--no-train-metrics");
    expect(run.stderr).not.toMatch(/reproduce:/);
    expect(run.status).toBe(0);
    // Named for the protocol its record holds ("custom": the smoke preset at batch 16), never "smoke".
    expect(existsSync(join(out, "cnn-4-8-3-16-b16.smoke.json"))).toBe(false);
    const b16 = readRecord(out, "cnn-4-8-3-16-b16.custom.json");
    expect(b16.rowId).toBe("cnn-4-8-3-16-b16");
    expect(b16.config).toEqual({ family: "cnn", conv1: 4, conv2: 8, kernel: 3, dense: 16 });
    expect(b16.protocol).toMatchObject({ name: "custom", batchSize: 16, epochs: 1 });
    const nopool = readRecord(out, "resnet-1x4-nopool.smoke.json");
    expect(nopool.config).toEqual({ family: "resnet", blocks: 1, filters: 4, stemPool: false });
    expect(nopool.protocol).toMatchObject({ name: "smoke", batchSize: 64 });
    const clash = reproduceIn(out, {}, "cnn-4-8-3-16-b16", "--batch-size", "8");
    expect(clash.status).toBe(2);
    expect(clash.stderr).toMatch(/cnn-4-8-3-16-b16 sets its own batch size \(-b<N>\); leave out --batch-size/);
  });

  it("rejects an unknown row id or option with a clear message", () => {
    const bad = reproduce("cnn-32");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/Unknown row id "cnn-32"/);
    const badFlag = reproduce("cnn-4-8-3-16", "--epoch", "2");
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--epoch'/);
    expect(badFlag.stderr).toMatch(/Usage: npm run reproduce/);
  });

  it("says to run npm run data when the data is missing", () => {
    const run = spawnSync(process.execPath, ["scripts/reproduce.ts", "cnn-4-8-3-16", "--data", join(root, "none"), "--out", outDir], {
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/npm run data/);
  });
});
