import { defineConfig, mergeConfig } from "vitest/config";
import app from "./vite.config.ts";

// The unit tests (src/**/*.test.ts[x]): the app's own build settings, in happy-dom at the gateway's address.
export default mergeConfig(
  app,
  defineConfig({
    test: {
      environment: "happy-dom",
      environmentOptions: { happyDOM: { url: "http://localhost/app/" } },
      include: ["src/**/*.test.{ts,tsx}"],
    },
  }),
);
