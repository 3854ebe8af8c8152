import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The SDK is used from its source (clients/typescript/src), so the app is always built on the SDK of this checkout;
// its own dependencies (openapi-fetch, @microsoft/signalr) come from clients/typescript/node_modules (npm ci there).
export default defineConfig({
  base: "/app/",
  resolve: {
    alias: { "@community/sdk": fileURLToPath(new URL("../typescript/src/index.ts", import.meta.url)) },
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", sourcemap: false, reportCompressedSize: true },
  server: {
    // `npm run dev` against a platform on :8080: the dev server proxies the API and the hub, so the app stays same-origin.
    proxy: {
      "/api": "http://localhost:8080",
      "/hubs": { target: "http://localhost:8080", ws: true },
      "/sandbox": "http://localhost:8080",
    },
  },
});
