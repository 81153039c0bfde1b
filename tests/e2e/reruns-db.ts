/**
 * The site's storage module (src/lib/storage/reruns-db.ts) in a test page: bundled with esbuild
 * into a script that defines `globalThis.rerunsDb`, so browser tests write and read a reader's
 * reruns through the very code the site uses instead of hand-writing IndexedDB.
 */
import { build } from "esbuild";
import { join } from "node:path";
import type { Page } from "playwright-core";

const ENTRY = join(import.meta.dirname, "../../src/lib/storage/reruns-db.ts");

let bundled: Promise<string> | null = null;

/** The module as a classic script (IIFE) that sets `globalThis.rerunsDb` to its exports. */
export function rerunsDbScript(): Promise<string> {
  bundled ??= build({ entryPoints: [ENTRY], bundle: true, format: "iife", globalName: "rerunsDb", write: false, platform: "browser", target: "es2022" }).then(
    (result) => result.outputFiles[0].text,
  );
  return bundled;
}

/** Adds `globalThis.rerunsDb` (the module's exports) to the page as it is now; call again after a navigation. */
export async function installRerunsDb(page: Page): Promise<void> {
  await page.addScriptTag({ content: await rerunsDbScript() });
}

/** `globalThis` in a page after {@link installRerunsDb}, for typing `page.evaluate` bodies. */
export type WithRerunsDb = typeof globalThis & { rerunsDb: typeof import("../../src/lib/storage/reruns-db.ts") };
