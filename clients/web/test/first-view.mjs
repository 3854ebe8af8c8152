// The web client's first view as a benchmark (bench/run-web.sh): the platform already running and warm, `loads` fresh
// visitors (empty cache each) after two warm-up loads; the time until the sign-in form answers, its median, p90 and
// largest, against the budget (1 s at the median), and the JavaScript shipped against its budget (200 kB gzipped).
// Prints the figures and whether each budget is met; it fails only when the page cannot be measured.
//   node test/first-view.mjs <gateway url> <chromium path> <screenshot folder> [loads, default 9]
import { cpus, loadavg } from "node:os";
import { figures, finish, measureFirstView, percentile, problems } from "./lib.mjs";

const count = Number(process.argv[5] ?? 9);
const budgetMs = 1000;
const budgetGzipKb = 200;
try {
  console.log(`load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")} (${cpus().length} cores)`);
  const { visitor, loads, ...view } = await measureFirstView(count);
  await visitor.context().close();
  const walls = loads.map((l) => l.wall);
  const inPage = loads.map((l) => l.interactive);
  Object.assign(figures, view, { p90Ms: percentile(walls, 90), maxMs: Math.max(...walls) });
  console.log(`first view, ${count} fresh visitors: p50 ${view.firstViewInteractiveMs} ms, p90 ${figures.p90Ms} ms, largest ${figures.maxMs} ms`);
  console.log(`  in the page (navigation start to the app's interactive mark): p50 ${view.firstViewInPageMs} ms, p90 ${percentile(inPage, 90)} ms`);
  const met = (value, budget) => (value <= budget ? "met" : "NOT met");
  console.log(`  budget ${budgetMs} ms at the median: ${(view.firstViewInteractiveMs / budgetMs).toFixed(2)}x the budget, ${met(view.firstViewInteractiveMs, budgetMs)}`);
  console.log(`JavaScript ${view.jsKb} kB, ${view.jsGzipKb} kB gzipped: ${(view.jsGzipKb / budgetGzipKb).toFixed(2)}x the budget (${budgetGzipKb} kB), ${met(view.jsGzipKb, budgetGzipKb)}`);
  console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
} catch (e) {
  problems.push(`failed: ${e?.stack ?? e}`);
}
await finish();
