// What the web client's browser scripts share: Chromium (Debian's, through playwright-core), axe-core, screenshots,
// the test's answers on stdin, and the steps both people take.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { encode } from "uqr";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createHmac } from "node:crypto";

export const [gateway, executablePath, shots] = process.argv.slice(2);
export const app = `${gateway}/app/`;
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(new URL("../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
export const run = Date.now().toString(36);
export const problems = [];
export const figures = {};

export function step(text) {
  console.log(`-- ${text}`);
}

/**
 * Asks the test (C#) to do something to the platform, or for what a mail holds, and waits for its answer (not shown
 * in the log when it is `secret`: a password).
 */
export async function ask(request, secret = false) {
  console.log(`@@ ${request}`);
  const { value } = await lines.next();
  step(`the test answered${secret ? "" : `: ${value}`}`);
  return value;
}

const browserArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const browser = await chromium.launch({ executablePath, args: browserArgs });

const pages = [];
const browsers = [];
/** Each page's last API exchanges, shown when the journey fails (what the page asked, what came back, how late). */
const exchanges = new Map();

function remember(name, line) {
  const kept = exchanges.get(name) ?? [];
  kept.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  if (kept.length > 40) kept.shift();
  exchanges.set(name, kept);
}

/**
 * A page of its own browser whose camera shows `payload` as a QR code: Chromium's fake camera plays a Y4M file made
 * here (the code drawn with uqr, the app's own encoder, black on white, a still picture).
 */
export async function newPageWithCamera(name, payload) {
  const { data, size } = encode(payload, { ecc: "M", border: 4 });
  const side = 480;
  const scale = Math.floor(side / size);
  const offset = Math.floor((side - size * scale) / 2);
  const luma = Buffer.alloc(side * side, 235);
  data.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        const start = (offset + r * scale + dy) * side + offset + c * scale;
        luma.fill(16, start, start + scale);
      }
    }),
  );
  const chroma = Buffer.alloc((side * side) / 4, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma, chroma]);
  const file = join(shots, `camera-${name}.y4m`);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${side} H${side} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
  const own = await chromium.launch({
    executablePath,
    args: [...browserArgs, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${file}`],
  });
  browsers.push(own);
  const context = await own.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(["camera"], { origin: new URL(gateway).origin });
  return watch(name, await context.newPage());
}

export async function newPage(name, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  return watch(name, await context.newPage());
}

/** A page's errors and CSP refusals are problems; its text and a screenshot are kept if the script fails. */
function watch(name, page) {
  pages.push([name, page]);
  // generous: on a 2-core machine the test projects running beside the journeys can hold a step for 20 s and more
  page.setDefaultTimeout(45_000);
  page.on("pageerror", (e) => problems.push(`${name}: page error ${e.message}`));
  const api = (request) => new URL(request.url()).pathname.includes("/api/");
  page.on("request", (r) => api(r) && remember(name, `-> ${r.method()} ${new URL(r.url()).pathname}`));
  page.on("response", (r) => api(r.request()) && remember(name, `<- ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
  page.on("requestfailed", (r) => api(r) && remember(name, `!! ${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) problems.push(`${name}: ${m.text()}`);
  });
  return page;
}

/** axe-core on what the page shows: serious and critical violations are problems. */
export async function axe(page, view) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  step(`axe ${view}: ${result.violations.length} violations, ${bad.length} serious or critical`);
  for (const v of bad) problems.push(`axe ${view}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

export const discussion = (page) => page.getByRole("log", { name: "Discussion", exact: true });

/** Waits until the discussion shows text exactly once. */
export async function seesOnce(page, text, timeout = 30_000) {
  const message = discussion(page).locator(".message:not(.pending) .text", { hasText: text });
  await message.first().waitFor({ timeout });
  const count = await message.count();
  if (count !== 1) problems.push(`"${text}" is shown ${count} times`);
}

export async function send(page, text) {
  const box = page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

/**
 * The platform's answer to the next POST to `pattern` from `page` is lost: the request reaches the platform, which does
 * its work, and the page then sees no answer. Later requests go through. Resolves once the route is in place;
 * `restore()` takes the route away.
 */
export async function loseNextAnswer(page, pattern, timeout = 30_000) {
  let lost = false;
  await page.route(pattern, async (route) => {
    if (route.request().method() !== "POST" || lost) return route.continue();
    lost = true;
    await route.fetch({ timeout });
    await route.abort("internetdisconnected");
  });
  return { restore: () => page.unroute(pattern) };
}

/** The alert of an action whose request got no answer. */
export const noAnswer = (page) => page.getByRole("alert").filter({ hasText: "The platform could not be reached." });

/**
 * Signs up as a new visitor does. With `firstAnswerLost`, the platform's answer to the first "Create account" is lost:
 * the page says so, and pressing it again signs in to the account the first press made.
 */
export async function signUp(page, username, organizer = false, firstAnswerLost = false) {
  await page.goto(app);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Full name").fill(username[0].toUpperCase() + username.slice(1, -run.length - 1));
  await page.getByLabel("E-mail").fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill("correct horse 42");
  if (organizer) await page.getByLabel("I organize events").check();
  if (firstAnswerLost) {
    const lost = await loseNextAnswer(page, "**/api/v1/auth/register");
    await page.getByRole("button", { name: "Create account" }).click();
    await noAnswer(page).waitFor();
    await lost.restore();
  }
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

/**
 * The code an authenticator app shows for a TOTP secret (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) at time
 * step `step` (by default now's).
 */
export function totp(base32, step = Math.floor(Date.now() / 30_000)) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...base32.replace(/[\s=]/g, "")].map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0")).join("");
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", key).update(counter).digest();
  const at = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

export async function signIn(page, username, password = "correct horse 42") {
  await page.goto(app);
  await page.getByLabel("Username, e-mail or phone", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

/**
 * The first view as a new visitor meets it: two warm-up loads, then `count` fresh visitors (empty cache each), each
 * timed from navigation until the sign-in form answers, with the page's own marks; medians, and the JavaScript the
 * last one was sent (raw and gzipped). Returns the last visitor's page, still open.
 */
export async function measureFirstView(count) {
  for (let i = 0; i < 2; i++) {
    const warm = await newPage("warm-up");
    await warm.goto(app);
    await warm.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    await warm.context().close();
  }
  const loads = [];
  let visitor;
  let scripts = [];
  for (let i = 0; i < count; i++) {
    if (visitor) await visitor.context().close();
    visitor = await newPage("visitor");
    scripts = [];
    visitor.on("response", (r) => r.url().startsWith(`${gateway}/app/`) && r.request().resourceType() === "script" && scripts.push(r));
    const started = Date.now();
    await visitor.goto(app);
    await visitor.getByRole("textbox", { name: "Username, e-mail or phone", exact: true }).waitFor();
    await visitor.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    const wall = Date.now() - started;
    const timing = await visitor.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const mark = performance.getEntriesByName("community:interactive")[0];
      return { ttfb: Math.round(nav.responseStart), domInteractive: Math.round(nav.domInteractive), interactive: Math.round(mark?.startTime ?? -1) };
    });
    loads.push({ wall, ...timing });
    console.log(`   load ${i + 1}: ${wall} ms until the form answered (in the page: first byte ${timing.ttfb} ms, DOM interactive ${timing.domInteractive} ms, app interactive ${timing.interactive} ms)`);
  }
  let gzipped = 0;
  let raw = 0;
  for (const response of scripts) {
    const body = await response.body();
    raw += body.length;
    gzipped += gzipSync(body, { level: 9 }).length;
  }
  return {
    visitor,
    loads,
    firstViewInteractiveMs: percentile(loads.map((l) => l.wall), 50),
    firstViewInPageMs: percentile(loads.map((l) => l.interactive), 50),
    jsKb: +(raw / 1024).toFixed(1),
    jsGzipKb: +(gzipped / 1024).toFixed(1),
  };
}

/** The value at or below which `p` percent of `values` lie (nearest rank; the median of 3 is the middle one). */
export function percentile(values, p) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Closes the browser and ends the script: 0 when nothing went wrong. */
export async function finish() {
  if (problems.length) {
    // what each page showed when it went wrong
    for (const [name, page] of pages) {
      if (page.isClosed()) continue;
      const text = await page.locator("body").innerText({ timeout: 2000 }).catch(() => "");
      console.log(`PAGE ${name} at ${page.url()}:\n${text.slice(0, 1500)}`);
      console.log(`API ${name}, the last exchanges:\n${(exchanges.get(name) ?? []).join("\n")}`);
      await page.screenshot({ path: join(shots, `failure-${name}.png`) }).catch(() => undefined);
    }
  }
  await browser.close();
  for (const other of browsers) await other.close();
  console.log(`FIGURES ${JSON.stringify(figures)}`);
  if (problems.length) {
    console.log(`PROBLEMS\n${problems.join("\n")}`);
    process.exit(1);
  }
  console.log("OK");
  process.exit(0);
}
