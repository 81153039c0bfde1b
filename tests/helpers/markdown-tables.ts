/**
 * A small reader of GitHub-flavoured markdown pipe tables, for tests that check numbers against a
 * committed document (the original study's README) instead of repeating its literals.
 */

/** One pipe table: the heading it sits under, its column heads and its body rows (cell text, trimmed). */
export interface MarkdownTable {
  /** Text of the nearest heading above the table, without the leading `#`s. */
  heading: string;
  columns: string[];
  rows: string[][];
}

const cellsOf = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());

const isDelimiter = (line: string): boolean => /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(line);

/**
 * Every pipe table of a markdown document, in order, outside fenced code blocks.
 * @throws Error when a body row has a different number of cells than the head
 */
export function parseMarkdownTables(markdown: string): MarkdownTable[] {
  const lines = markdown.split(/\r?\n/);
  const tables: MarkdownTable[] = [];
  let heading = "";
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const title = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (title) {
      heading = title[1];
      continue;
    }
    if (!line.trim().startsWith("|") || i + 1 >= lines.length || !isDelimiter(lines[i + 1])) continue;
    const columns = cellsOf(line);
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j].trim().startsWith("|"); j++) {
      const cells = cellsOf(lines[j]);
      if (cells.length !== columns.length) throw new Error(`Table under "${heading}", line ${j + 1}: ${cells.length} cells, expected ${columns.length}`);
      rows.push(cells);
    }
    tables.push({ heading, columns, rows });
    i = j - 1;
  }
  return tables;
}

/**
 * A printed percentage as an exact decimal fraction: "92.01%" -> 0.9201 (the same double as the
 * literal 0.9201, computed from the digits so that no floating-point product creeps in).
 * @throws Error when the text is not a percentage
 */
export function percentToFraction(text: string): number {
  const match = /^(\d+)(?:\.(\d+))?%$/.exec(text.trim());
  if (!match) throw new Error(`Not a percentage: "${text}"`);
  const decimals = match[2] ?? "";
  // "9201e-4" parses (correctly rounded) to the same double as the literal 0.9201.
  return Number(`${match[1]}${decimals}e-${decimals.length + 2}`);
}
