/**
 * The protocol presets in the words the pages' prose uses, computed from PROTOCOL_PRESETS
 * (src/lib/study/study.ts) so that the text follows the presets when they change.
 */
import { formatCount, formatPercent, formatPlural } from "../lib/format.ts";
import type { Protocol } from "../lib/study/schema.ts";
import { PROTOCOL_PRESETS } from "../lib/study/study.ts";

const FRACTION_WORDS: Record<number, string> = { 2: "half", 4: "a quarter", 5: "a fifth", 10: "a tenth", 20: "a twentieth", 100: "a hundredth" };
const NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

/**
 * A share of the full protocol's training images in words.
 * @returns e.g. "a tenth" for 5,400 of 54,000; otherwise a percentage, e.g. "12.50%"
 */
export function shareWords(part: number, whole: number): string {
  const inverse = whole / part;
  return Number.isInteger(inverse) && FRACTION_WORDS[inverse] ? FRACTION_WORDS[inverse] : formatPercent(part / whole);
}

/** Epochs spelled out up to ten, e.g. "one epoch"; digits from 11 on. */
function spelledEpochs(epochs: number): string {
  return epochs < NUMBER_WORDS.length ? `${NUMBER_WORDS[epochs]} epoch${epochs === 1 ? "" : "s"}` : formatPlural(epochs, "epoch");
}

/** The presets' sizes as the pages' sentences use them. */
export interface PresetPhrases {
  /** E.g. "54,000 training images, 10 epochs". */
  full: string;
  /** E.g. "5,400 training images, 3 epochs". */
  quick: string;
  /** E.g. "1,024 images, 1 epoch". */
  smoke: string;
  /** E.g. "a tenth of the data and 3 epochs". */
  quickShort: string;
  /** E.g. "1,024 images and one epoch". */
  smokeShort: string;
  /** The quick preset's share of the data, e.g. "a tenth". */
  quickShare: string;
}

/** The phrases of `presets` (default: the site's). */
export function presetPhrases(presets: Record<"full" | "quick" | "smoke", Pick<Protocol, "trainImages" | "epochs">> = PROTOCOL_PRESETS): PresetPhrases {
  const { full, quick, smoke } = presets;
  const quickShare = shareWords(quick.trainImages, full.trainImages);
  return {
    full: `${formatCount(full.trainImages)} training images, ${formatPlural(full.epochs, "epoch")}`,
    quick: `${formatCount(quick.trainImages)} training images, ${formatPlural(quick.epochs, "epoch")}`,
    smoke: `${formatCount(smoke.trainImages)} images, ${formatPlural(smoke.epochs, "epoch")}`,
    quickShort: `${quickShare} of the data and ${formatPlural(quick.epochs, "epoch")}`,
    smokeShort: `${formatCount(smoke.trainImages)} images and ${spelledEpochs(smoke.epochs)}`,
    quickShare,
  };
}
