/**
 * Tiny command-line parsing for the project's scripts: `--flag`, `--key value`, `--key=value` and
 * positionals. Unknown flags are an error so a typo never silently runs the wrong job.
 */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[], known: { booleans: string[]; values: string[] }): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (known.booleans.includes(name)) {
      if (eq !== -1) throw new Error(`--${name} takes no value`);
      flags.set(name, true);
    } else if (known.values.includes(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      const all = [...known.booleans, ...known.values].map((k) => `--${k}`).join(", ");
      throw new Error(`unknown option ${arg} (known: ${all})`);
    }
  }
  return { positionals, flags };
}

/** A positive integer flag, or undefined when absent. */
export function intFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${String(v)}`);
  return n;
}

/** A positive number flag, or undefined when absent. */
export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${String(v)}`);
  return n;
}

/** A string flag, or undefined when absent. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v === undefined || v === true ? undefined : v;
}
