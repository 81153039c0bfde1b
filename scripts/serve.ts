/**
 * A small static file server for the built site (node:http only): serves a folder under an optional
 * base path, like a static host serves a project site at https://user.example/fashion-mnist/.
 *
 * Usage: node scripts/serve.ts [--dir dist] [--base /fashion-mnist/] [--port 4321] [--host 127.0.0.1]
 *   --base defaults to env SITE_BASE or "/", --port 0 picks a free port.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { readCommandLine } from "./lib/cli.ts";

/** Content types by file extension. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".bin": "application/octet-stream",
  ".gz": "application/gzip",
  ".woff2": "font/woff2",
};

/** Options of `startServer`. */
export interface ServeOptions {
  /** Folder to serve (the build output). */
  dir: string;
  /** URL path prefix the site lives under, e.g. "/" or "/fashion-mnist/". */
  base?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** Extra headers of every file response, e.g. COOP/COEP to make the pages cross-origin isolated. */
  headers?: Readonly<Record<string, string>>;
}

/** A running server. */
export interface RunningServer {
  server: Server;
  /** URL of the site's root page, with the base and a trailing slash, e.g. "http://127.0.0.1:4321/fashion-mnist/". */
  url: string;
  close(): Promise<void>;
}

/** Normalise a base path to "/" or "/a/b/". */
export function normalizeBase(base: string): string {
  const trimmed = base.replace(/^\/+|\/+$/g, "");
  return trimmed ? `/${trimmed}/` : "/";
}

/**
 * Map a request path to a file in `dir`, or a redirect, or nothing.
 * @returns { file } to serve, { redirect } to send the client elsewhere, or null for 404
 */
export function resolveRequest(dir: string, base: string, pathname: string): { file: string } | { redirect: string } | null {
  if (pathname === base.slice(0, -1) && base !== "/") return { redirect: base };
  if (!pathname.startsWith(base)) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(base.length));
  } catch {
    return null;
  }
  const root = resolve(dir);
  const target = resolve(root, relative);
  if (target !== root && !target.startsWith(root + sep)) return null;
  if (!existsSync(target)) return null;
  if (statSync(target).isDirectory()) {
    if (!pathname.endsWith("/")) return { redirect: `${pathname}/` };
    const index = join(target, "index.html");
    return existsSync(index) ? { file: index } : null;
  }
  return { file: target };
}

/**
 * Serve `dir` under `base` until closed.
 * @returns the server and the URL of the site root
 */
export function startServer(options: ServeOptions): Promise<RunningServer> {
  const dir = resolve(options.dir);
  if (!existsSync(join(dir, "index.html"))) throw new Error(`serve: ${dir} has no index.html; build the site first (npm run build)`);
  const base = normalizeBase(options.base ?? "/");
  const host = options.host ?? "127.0.0.1";
  const notFound = join(dir, "404.html");
  const server = createServer((request, response) => {
    const { pathname, search } = new URL(request.url ?? "/", "http://localhost");
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const found = resolveRequest(dir, base, pathname);
    if (found && "redirect" in found) {
      response.writeHead(301, { location: found.redirect + search }).end();
      return;
    }
    const file = found?.file ?? (existsSync(notFound) ? notFound : null);
    const status = found ? 200 : 404;
    if (!file) {
      response.writeHead(404, { "content-type": MIME_TYPES[".txt"] }).end("Not found\n");
      return;
    }
    response.writeHead(status, {
      "content-type": MIME_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "content-length": statSync(file).size,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      ...options.headers,
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      resolvePromise({
        server,
        url: `http://${host}:${port}${base}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}

const USAGE = `Usage: node scripts/serve.ts [options]

Serves a built site folder under a base path, as a static host would.

Options:
  --dir DIR       folder to serve (default dist)
  --base PATH     URL path to serve it under (default env SITE_BASE or /)
  --port N        port (default env PORT or 4321; 0 picks a free port)
  --host HOST     address to listen on (default 127.0.0.1)
  --help, -h      print this text`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = readCommandLine({
    usage: USAGE,
    options: {
      dir: { type: "string", default: "dist" },
      base: { type: "string", default: process.env.SITE_BASE ?? "/" },
      port: { type: "string", default: process.env.PORT ?? "4321" },
      host: { type: "string", default: "127.0.0.1" },
    },
  });
  const running = await startServer({ dir: values.dir, base: values.base, port: Number(values.port), host: values.host });
  console.log(`Serving ${resolve(values.dir)} at ${running.url}  (Ctrl+C to stop)`);
}
