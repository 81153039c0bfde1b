import { describe, expect, it } from "vitest";
import { parseCommandLine, positiveInteger, positiveNumber, UsageError } from "../../scripts/lib/cli.ts";

const spec = {
  usage: "Usage: thing [--out DIR] [--force] <name>...",
  options: { out: { type: "string", default: "dist" }, force: { type: "boolean", default: false } },
  allowPositionals: true,
} as const;

describe("parseCommandLine", () => {
  it("parses values in both spellings, defaults and positionals", () => {
    const { values, positionals } = parseCommandLine(["a", "--out=/x", "--force", "b"], spec);
    expect(values).toMatchObject({ out: "/x", force: true });
    expect(values.help).toBeUndefined();
    expect(positionals).toEqual(["a", "b"]);
    expect(parseCommandLine(["--out", "/y"], spec).values.out).toBe("/y");
    expect(parseCommandLine([], spec).values).toMatchObject({ out: "dist", force: false });
  });

  it("takes --help and -h on every command line", () => {
    expect(parseCommandLine(["--help"], spec).values.help).toBe(true);
    expect(parseCommandLine(["-h"], spec).values.help).toBe(true);
  });

  it("rejects an unknown option, naming it, then giving the usage", () => {
    expect(() => parseCommandLine(["--outt", "/x"], spec)).toThrow(UsageError);
    expect(() => parseCommandLine(["--outt", "/x"], spec)).toThrow(/Unknown option '--outt'[^]*\n\nUsage: thing/);
  });

  it("rejects an option missing its value, and a value given to a switch", () => {
    expect(() => parseCommandLine(["--out"], spec)).toThrow(/'--out <value>' argument missing/);
    expect(() => parseCommandLine(["--force=yes"], spec)).toThrow(/'--force' does not take an argument/);
  });

  it("rejects positionals unless the script takes them", () => {
    expect(() => parseCommandLine(["stray"], { usage: "Usage: x", options: {} })).toThrow(/Unexpected argument 'stray'/);
  });
});

describe("positiveInteger / positiveNumber", () => {
  it("pass an absent option through and convert a valid one", () => {
    expect(positiveInteger(undefined, "epochs")).toBeUndefined();
    expect(positiveInteger("12", "epochs")).toBe(12);
    expect(positiveNumber("0.001", "learning-rate")).toBe(0.001);
  });

  it("name the option and the value of an invalid one", () => {
    for (const bad of ["0", "-3", "2.5", "x", ""]) expect(() => positiveInteger(bad, "epochs")).toThrow(`--epochs must be a positive integer, got "${bad}"`);
    for (const bad of ["0", "abc", "Infinity"]) expect(() => positiveNumber(bad, "learning-rate")).toThrow(UsageError);
  });
});
