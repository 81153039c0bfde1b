import { defineConfig } from "vitest/config";

/** Browser tests against the built site: `npm run test:e2e` (global-setup builds and serves it). */
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    globalSetup: ["tests/e2e/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: "forks",
    // One chromium at a time: the machines these run on have few cores.
    fileParallelism: false,
  },
});
