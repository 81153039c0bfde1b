/**
 * Content collections. `runs`: the published run records, every `*.json` of the runs folder
 * (`public/data/runs/`, or env SITE_RUNS_DIR; the files stay there because pages and workers fetch
 * them at `data/runs/<file>`), validated with `runRecordSchema`. Entry ids are the file names
 * (`cnn-32-64-3-64.full.json`). A malformed record stops the build naming the file and the field:
 *
 *   runs → resnet-3x64.full.json data does not match collection schema.
 *     metrics.test.accuracy: Too big: expected number to be <=1
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { defineCollection } from "astro:content";
import { glob, type Loader } from "astro/loaders";
import { publishedRunSchema } from "./lib/study/runs.ts";
import { runsFolder } from "./lib/site.ts";

const records = glob({
  pattern: "*.json",
  base: pathToFileURL(`${resolve(runsFolder(process.env))}/`),
  generateId: ({ entry }) => entry,
});

/**
 * The glob loader, reading every file afresh. Its own cache skips files whose bytes are unchanged
 * and is cleared only when this file or the Astro config changes, so a record stored under an older
 * `runRecordSchema` (which lives in another file) would be published without being checked again.
 * A few dozen small JSON files take milliseconds to validate.
 */
const runRecords: Loader = {
  name: "run-records",
  load: async (context) => {
    context.store.clear();
    await records.load(context);
  },
};

export const collections = {
  runs: defineCollection({ loader: runRecords, schema: publishedRunSchema }),
};
