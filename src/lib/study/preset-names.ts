/**
 * The protocol presets' names, once. Tiny and free of zod, so that the rerun panel's script (loaded
 * on the reader's click) can import it without evaluating the schemas: see study.ts for what each
 * preset trains.
 */

/** The presets a reader (or `npm run reproduce --preset`) can pick. */
export type PresetName = "full" | "quick" | "smoke";

/** Preset names from the published protocol down to the quickest check. */
export const PRESET_NAMES: readonly PresetName[] = ["full", "quick", "smoke"];
