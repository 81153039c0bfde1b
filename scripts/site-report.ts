/**
 * Page weight of the built site: for every HTML page, the JavaScript a reader downloads before
 * interacting (inline scripts, script files and their static imports, module preloads; dynamic
 * `import()`s are excluded because they load on demand) and the total bytes of the page with
 * everything it references (HTML, CSS, JavaScript, images, icons). All sizes are gzip sizes.
 *
 * Usage: node scripts/site-report.ts [--dir dist] [--base /] [--json report.json] [--max-js 30720]
 *   --base defaults to env SITE_BASE or "/"; --max-js exits with status 1 when a page is over.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { writeFileAtomic } from "./lib/atomic-write.ts";
import { positiveInteger, readCommandLine } from "./lib/cli.ts";

/** The budget of JavaScript before interaction on a report page: 30 KB compressed. */
export const JS_BUDGET_BYTES = 30 * 1024;

/** Weight of one page. */
export interface PageReport {
  /** URL path of the page relative to the base, e.g. "", "cnn-tuning/" or "404.html". */
  page: string;
  /** gzip bytes of JavaScript loaded before interaction. */
  jsBytes: number;
  /** gzip bytes of the page and everything it references. */
  totalBytes: number;
  /** Files counted, as paths relative to the build folder ("(inline)" entries for inline scripts). */
  files: { path: string; kind: "html" | "js" | "css" | "image" | "other"; bytes: number }[];
}

const gzipCache = new Map<string, number>();
function gzipSize(path: string): number {
  let size = gzipCache.get(path);
  if (size === undefined) {
    size = gzipSync(readFileSync(path), { level: 9 }).length;
    gzipCache.set(path, size);
  }
  return size;
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) out[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? "";
  return out;
}

/**
 * Map a URL found in a page or script to a file of the build, or null when it is not one (another
 * origin, a data: URL, a fragment, or a path outside the base).
 */
export function urlToFile(dir: string, base: string, url: string, from: string): string | null {
  if (!url || url.startsWith("#") || /^[a-z][\w+.-]*:/i.test(url) || url.startsWith("//")) return null;
  const clean = url.split(/[?#]/)[0];
  let path: string;
  if (clean.startsWith("/")) {
    if (!clean.startsWith(base)) return null;
    path = join(dir, decodeURIComponent(clean.slice(base.length)));
  } else path = resolve(dirname(from), decodeURIComponent(clean));
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
  return existsSync(path) ? path : null;
}

/** Static imports of an ES module (`import x from "./a.js"`, `import "./b.js"`, `export * from`), not `import()`. */
export function staticImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const m of source.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+)["']/g)) specifiers.push(m[1]);
  return specifiers;
}

function kindOf(path: string): PageReport["files"][number]["kind"] {
  if (/\.m?js$/.test(path)) return "js";
  if (path.endsWith(".css")) return "css";
  if (path.endsWith(".html")) return "html";
  if (/\.(png|svg|jpe?g|gif|webp|ico|avif)$/.test(path)) return "image";
  return "other";
}

/**
 * Measure one HTML page of a build.
 * @param dir the build folder
 * @param base the base path the site is built for ("/" or "/x/")
 * @param htmlFile absolute path of the page's HTML file
 */
export function measurePage(dir: string, base: string, htmlFile: string): PageReport {
  const html = readFileSync(htmlFile, "utf8");
  const files = new Map<string, PageReport["files"][number]>();
  const add = (path: string) => {
    const key = relative(dir, path).split(sep).join("/");
    if (!files.has(key)) files.set(key, { path: key, kind: kindOf(path), bytes: gzipSize(path) });
    return key;
  };
  add(htmlFile);
  const inlineJs: number[] = [];
  const queue: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attrs = attributes(m[1]);
    const type = (attrs.type ?? "").toLowerCase();
    if (type && type !== "module" && !type.includes("javascript")) continue;
    if (attrs.src !== undefined) {
      const file = urlToFile(dir, base, attrs.src, htmlFile);
      if (file) queue.push(file);
    } else if (m[2].trim()) {
      inlineJs.push(gzipSync(m[2], { level: 9 }).length);
      for (const spec of staticImports(m[2])) {
        const file = urlToFile(dir, base, spec, htmlFile);
        if (file) queue.push(file);
      }
    }
  }
  for (const m of html.matchAll(/<link\b([^>]*)>/gi)) {
    const attrs = attributes(m[1]);
    const rel = (attrs.rel ?? "").toLowerCase().split(/\s+/);
    const file = urlToFile(dir, base, attrs.href ?? "", htmlFile);
    if (!file) continue;
    if (rel.includes("modulepreload")) queue.push(file);
    else if (rel.includes("stylesheet") || rel.includes("icon") || rel.includes("preload")) add(file);
  }
  for (const m of html.matchAll(/<img\b([^>]*)>/gi)) {
    const file = urlToFile(dir, base, attributes(m[1]).src ?? "", htmlFile);
    if (file) add(file);
  }
  const seen = new Set<string>();
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    add(file);
    for (const spec of staticImports(readFileSync(file, "utf8"))) {
      const next = urlToFile(dir, base, spec, file);
      if (next) queue.push(next);
    }
  }
  const list = [...files.values()];
  inlineJs.forEach((bytes, i) => list.push({ path: `(inline script ${i + 1})`, kind: "js", bytes }));
  const page = relative(dir, htmlFile)
    .split(sep)
    .join("/")
    .replace(/(^|\/)index\.html$/, "$1");
  return {
    page,
    jsBytes: list.filter((f) => f.kind === "js").reduce((s, f) => s + f.bytes, 0),
    totalBytes: list.reduce((s, f) => s + f.bytes, 0),
    files: list,
  };
}

/** Every `index.html` page of a build (404.html and other HTML files included), sorted by path. */
export function measureSite(dir: string, base = "/"): PageReport[] {
  const root = resolve(dir);
  const normalized = base.replace(/^\/*/, "/").replace(/\/*$/, "/");
  const pages: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".html")) pages.push(path);
    }
  };
  walk(root);
  return pages.sort().map((file) => measurePage(root, normalized, file));
}

function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

const USAGE = `Usage: node scripts/site-report.ts [options]

JavaScript before interaction and total bytes (gzip) of every page of a built site.

Options:
  --dir DIR       the build (default dist)
  --base PATH     the base it was built for (default env SITE_BASE or /)
  --json FILE     also write the report as JSON
  --max-js BYTES  exit with status 1 when a page ships more JavaScript than this
  --help, -h      print this text`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, limit } = readCommandLine({
    usage: USAGE,
    options: {
      dir: { type: "string", default: "dist" },
      base: { type: "string", default: process.env.SITE_BASE ?? "/" },
      json: { type: "string" },
      "max-js": { type: "string" },
    },
    interpret: ({ values }) => ({ values, limit: positiveInteger(values["max-js"], "max-js") }),
  });
  if (!existsSync(join(values.dir, "index.html"))) {
    console.error(`site-report: ${values.dir} has no index.html; run npm run build first`);
    process.exit(1);
  }
  const reports = measureSite(values.dir, values.base);
  const width = Math.max(6, ...reports.map((r) => r.page.length + 1));
  console.log(`${"page".padEnd(width)}  ${"JS (gzip)".padStart(10)}  ${"total (gzip)".padStart(12)}  files`);
  for (const r of reports)
    console.log(`${`/${r.page}`.padEnd(width)}  ${formatKb(r.jsBytes).padStart(10)}  ${formatKb(r.totalBytes).padStart(12)}  ${r.files.length}`);
  if (values.json) {
    await writeFileAtomic(values.json, `${JSON.stringify({ dir: resolve(values.dir), base: values.base, pages: reports }, null, 2)}\n`);
    console.log(`site-report: wrote ${values.json}`);
  }
  const over = limit === undefined ? [] : reports.filter((r) => r.jsBytes > limit);
  if (over.length) {
    console.error(`site-report: over the ${formatKb(limit!)} JavaScript budget: ${over.map((r) => `/${r.page}`).join(", ")}`);
    process.exit(1);
  }
}
