/**
 * Shared browser for the end-to-end tests: Debian's chromium driven by playwright-core, with a
 * recorder of everything a page must not do (console errors, uncaught exceptions, failed or
 * erroring requests, requests to another origin) and of the JavaScript it downloads.
 */
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { inject } from "vitest";

/** Chromium flags for a quiet, offline, headless run (no sandbox: tests run as root in CI containers). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--enable-unsafe-swiftshader",
  "--headless",
];

/** Path of the Debian chromium binary (env CHROMIUM_PATH overrides). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Launch chromium; the caller closes it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What a page did while it was open. */
export interface PageRecord {
  /** console.error messages and uncaught exceptions. */
  consoleErrors: string[];
  /** Requests that failed at the network level or got an HTTP status >= 400, as "STATUS url". */
  failedRequests: string[];
  /** Every URL requested, in order. */
  requests: string[];
  /** JavaScript files downloaded: URL and body. */
  scripts: { url: string; body: Buffer }[];
}

/** A page with its recorder. */
export interface RecordedPage {
  page: Page;
  record: PageRecord;
  /** Wait until pending script bodies have been read into `record.scripts`. */
  settle(): Promise<void>;
}

/**
 * Open a new page in its own context and start recording. Service workers are blocked unless
 * `options.serviceWorkers` is "allow": the site's coi-serviceworker reloads a page once on its first
 * visit (to make it cross-origin isolated), which would race with a test's steps; the isolated site
 * is tested in isolation.test.ts and a11y.test.ts.
 * @param options context options (viewport, colorScheme, serviceWorkers, ...)
 */
export async function openRecordedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<RecordedPage> {
  const context = await browser.newContext({ serviceWorkers: "block", ...options });
  const page = await context.newPage();
  const record: PageRecord = { consoleErrors: [], failedRequests: [], requests: [], scripts: [] };
  const pending: Promise<void>[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") record.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => record.consoleErrors.push(`uncaught: ${error.message}`));
  page.on("request", (request) => record.requests.push(request.url()));
  page.on("requestfailed", (request) => record.failedRequests.push(`failed ${request.url()} (${request.failure()?.errorText ?? "unknown"})`));
  page.on("response", (response) => {
    if (response.status() >= 400) record.failedRequests.push(`${response.status()} ${response.url()}`);
    else if (response.request().resourceType() === "script")
      pending.push(
        response.body().then(
          (body) => void record.scripts.push({ url: response.url(), body }),
          () => undefined,
        ),
      );
  });
  // The browser may close first (afterAll): a context already gone is fine, not an unhandled rejection.
  page.once("close", () => void context.close().catch(() => undefined));
  return { page, record, settle: async () => void (await Promise.all(pending)) };
}

/** A built site served for the tests (provided by tests/e2e/global-setup.ts). */
export interface E2ESite {
  /** "root", "subpath" or "runs-swapped". */
  name: string;
  /** URL of the site root, with the base and a trailing slash. */
  url: string;
  /** Base path the site was built for. */
  base: string;
  /** Build folder. */
  outDir: string;
  /** Runs folder the build read. */
  runsDir: string;
}

declare module "vitest" {
  interface ProvidedContext {
    sites: E2ESite[];
  }
}

/** The sites global-setup built and serves. */
export function servedSites(): E2ESite[] {
  return inject("sites");
}
