// ESLint for the extension's TypeScript (flat config, typescript-eslint with type information).
// `npm run lint` runs it and `prettier --check`; formatting is prettier's alone.
import eslint from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    // Built output, downloaded tools, and the e2e scenarios (kept as they are: the VS Code
    // end-to-end runs are tied to them).
    ignores: ["out/", "node_modules/", ".e2e/", "test/e2e/", "*.vsix"],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ["test/unit/**/*.ts"],
    rules: {
      // node:test's `test()` returns a promise that the runner itself awaits.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it"] }] },
      ],
      // The fakes implement the extension's async interfaces without awaiting anything.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
