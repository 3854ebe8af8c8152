// Usage: node test/browser/cross-origin.mjs <gateway-url> <allowed-port> <other-port> [chromium]
// Bundles the SDK for browsers (esbuild), serves cross-origin.html and the bundle on 127.0.0.1 at two ports (the
// gateway allows the first origin only) and opens both in Chromium: from the allowed origin two members sign in,
// share a thread and one sees the other's message live through the SDK's hub client (SignalR's defaults); from the
// other, the browser refuses the SDK's calls. Exits 0 when all holds, 1 (with what the pages logged) otherwise.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const [gateway, allowedPort, otherPort, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!gateway || !allowedPort || !otherPort) {
  console.error("usage: node test/browser/cross-origin.mjs <gateway-url> <allowed-port> <other-port> [chromium]");
  process.exit(2);
}

const sdk = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
const bundle = (await build({ entryPoints: [sdk], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false }))
  .outputFiles[0].text;
const page = await readFile(new URL("./cross-origin.html", import.meta.url));
const servers = [allowedPort, otherPort].map((port) =>
  new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      const path = new URL(request.url, "http://page").pathname;
      if (path === "/") response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      else if (path === "/sdk.js") response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle);
      else response.writeHead(404).end();
    });
    server.on("error", reject).listen(Number(port), "127.0.0.1", () => resolve(server));
  }));

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
let failed = false;
try {
  await Promise.all(servers);
  for (const [port, scenario] of [[allowedPort, "chat"], [otherPort, "refused"]]) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const console_ = [];
    tab.on("console", (m) => console_.push(`[${m.type()}] ${m.text()}`));
    tab.on("pageerror", (e) => console_.push(`[pageerror] ${e.message}`));
    await tab.goto(`http://127.0.0.1:${port}/?scenario=${scenario}&gateway=${encodeURIComponent(gateway)}`);
    await tab.waitForFunction(() => window.outcome !== undefined, null, { timeout: 5_000 });
    const outcome = await tab.evaluate(() => window.outcome);
    const cookies = (await context.cookies(gateway)).map((c) => `${c.name} (SameSite=${c.sameSite})`);
    console.log(`${scenario} from http://127.0.0.1:${port}: ${outcome}\n  gateway cookies: ${cookies.join(", ") || "none"}`);
    console.log((await tab.textContent("#log")).replace(/^/gm, "  | "));
    if (outcome !== "passed") failed = true;
    // the affinity cookie came with negotiate's credentialed answer: stored only because the gateway allows credentials
    if (scenario === "chat" && !cookies.some((c) => c.startsWith(".Community.Affinity"))) {
      console.log("  the browser did not store the gateway's affinity cookie");
      failed = true;
    }
    if (outcome !== "passed") console.log(console_.join("\n"));
    await context.close();
  }
} finally {
  await browser.close();
  for (const server of await Promise.allSettled(servers)) server.value?.close();
}
process.exit(failed ? 1 : 0);
