// What the web client's browser scripts share: Chromium (Debian's, through playwright-core), axe-core, screenshots,
// the test's answers on stdin, and the steps both people take.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";

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

/** Asks the test (C#) to do something to the platform and waits for its answer. */
export async function ask(request) {
  console.log(`@@ ${request}`);
  const { value } = await lines.next();
  step(`the test answered: ${value}`);
}

export const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const pages = [];

export async function newPage(name, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  pages.push([name, page]);
  page.setDefaultTimeout(20_000);
  page.on("pageerror", (e) => problems.push(`${name}: page error ${e.message}`));
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

export async function signUp(page, username, organizer = false) {
  await page.goto(app);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Full name").fill(username[0].toUpperCase() + username.slice(1, -run.length - 1));
  await page.getByLabel("E-mail").fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill("correct horse 42");
  if (organizer) await page.getByLabel("I organize events").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

/** Closes the browser and ends the script: 0 when nothing went wrong. */
export async function finish() {
  if (problems.length) {
    // what each page showed when it went wrong
    for (const [name, page] of pages) {
      if (page.isClosed()) continue;
      const text = await page.locator("body").innerText({ timeout: 2000 }).catch(() => "");
      console.log(`PAGE ${name} at ${page.url()}:\n${text.slice(0, 1500)}`);
      await page.screenshot({ path: join(shots, `failure-${name}.png`) }).catch(() => undefined);
    }
  }
  await browser.close();
  console.log(`FIGURES ${JSON.stringify(figures)}`);
  if (problems.length) {
    console.log(`PROBLEMS\n${problems.join("\n")}`);
    process.exit(1);
  }
  console.log("OK");
  process.exit(0);
}
