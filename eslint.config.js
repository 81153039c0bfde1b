// ESLint (flat config): typescript-eslint's recommended rules, no import cycles (eslint-plugin-import-x), and Astro files
// (eslint-plugin-astro). Formatting is Prettier's job (npm run format), not ESLint's.
import js from "@eslint/js";
import astro from "eslint-plugin-astro";
import { importX } from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", ".astro/", ".e2e/", ".test-results/", ".bench/", ".checkpoints/", ".scratch/", ".device/", ".tools/", "node_modules/", "public/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...astro.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      // `_name` marks a parameter kept for its position (a callback's signature).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Astro files are leaves (nothing imports a page), and import-x would parse their TypeScript imports with Astro's parser.
    files: ["**/*.ts", "**/*.js", "**/*.mjs"],
    plugins: { "import-x": importX },
    settings: { "import-x/extensions": [".ts", ".js", ".mjs"] },
    rules: {
      // import-x skips `import type` edges (it has no option to follow them), so this catches value cycles only.
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
);
