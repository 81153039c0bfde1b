import { describe, expect, it } from "vitest";
import { presetPhrases, shareWords } from "../../src/build/preset-phrases.ts";

describe("presetPhrases", () => {
  it("words the site's presets as the pages did by hand", () => {
    expect(presetPhrases()).toEqual({
      full: "54,000 training images, 10 epochs",
      quick: "5,400 training images, 3 epochs",
      smoke: "1,024 images, 1 epoch",
      quickShort: "a tenth of the data and 3 epochs",
      smokeShort: "1,024 images and one epoch",
      quickShare: "a tenth",
    });
  });

  it("follows the presets when they change", () => {
    const phrases = presetPhrases({
      full: { trainImages: 54_000, epochs: 12 },
      quick: { trainImages: 13_500, epochs: 2 },
      smoke: { trainImages: 512, epochs: 2 },
    });
    expect(phrases).toMatchObject({
      full: "54,000 training images, 12 epochs",
      quickShort: "a quarter of the data and 2 epochs",
      smokeShort: "512 images and two epochs",
    });
  });

  it("words a share that has no name as a percentage", () => {
    expect(shareWords(5_400, 54_000)).toBe("a tenth");
    expect(shareWords(7_000, 54_000)).toBe("12.96%");
  });
});
