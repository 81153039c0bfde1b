import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../../../src/lib/backends/use-backend.ts";
import { DeviceTotals } from "../../../src/lib/model/device-totals.ts";

const totalsOf = (loss: number, correct: number) => ({ lossSum: tf.scalar(loss), correct: tf.scalar(correct) });

describe("DeviceTotals", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("sums batches on the device and reads them back exactly when settled", async () => {
    const before = tf.memory().numTensors;
    const totals = new DeviceTotals();
    totals.add(totalsOf(2.5, 3), 4);
    totals.add(totalsOf(1.5, 1), 4);
    expect(totals.known.images).toBe(0);
    expect(await totals.settle()).toEqual({ lossSum: 4, correct: 4, images: 8, batches: 2 });
    await totals.close();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("keeps adding while a read is in flight, then reports the batches that read covered", async () => {
    const before = tf.memory().numTensors;
    const totals = new DeviceTotals();
    totals.add(totalsOf(1, 1), 2);
    const read = totals.read();
    expect(read).not.toBeNull();
    expect(totals.pending).toBe(true);
    expect(totals.read()).toBe(read); // one read at a time
    expect(totals.lag).toBe(0);
    totals.add(totalsOf(10, 2), 2);
    totals.add(totalsOf(100, 2), 2);
    expect(totals.lag).toBe(2);
    await read;
    expect(totals.lag).toBe(0);
    expect(totals.known).toEqual({ lossSum: 1, correct: 1, images: 2, batches: 1 });
    expect(await totals.settle()).toEqual({ lossSum: 111, correct: 5, images: 6, batches: 3 });
    await totals.close();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("frees everything on close even with a read in flight, and reads nothing when empty", async () => {
    const before = tf.memory().numTensors;
    const totals = new DeviceTotals();
    expect(totals.read()).toBeNull();
    totals.add(totalsOf(1, 0), 1);
    totals.read();
    totals.add(totalsOf(1, 0), 1);
    await totals.close();
    expect(tf.memory().numTensors).toBe(before);
  });
});
