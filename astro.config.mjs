// @ts-check
import { defineConfig } from "astro/config";

/**
 * Static site. Deploy under a sub-path by setting SITE_BASE (e.g. "/fashion-mnist/")
 * at build time; every link, asset, data file and worker resolves against it.
 */
const base = process.env.SITE_BASE ?? "/";

export default defineConfig({
  output: "static",
  base,
  site: process.env.SITE_URL,
  trailingSlash: "ignore",
  build: { format: "directory" },
  vite: {
    worker: { format: "es" },
    optimizeDeps: { exclude: ["@tensorflow/tfjs-backend-wasm"] },
  },
});
