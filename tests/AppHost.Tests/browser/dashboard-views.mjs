// Usage: node dashboard-views.mjs <dashboard-url> <secrets> <screenshot-folder> [chromium]
// Opens the dashboard in Chromium after some traffic and checks: the charts over time per service (request rate,
// errors, p95) and per instance (CPU, working set, GC heap and collections) are drawn with points; a resource's
// details list its environment with secrets masked (<secrets>: identity's, comma-separated, never show), its endpoints
// and replicas; the colours follow the browser's scheme (light and dark emulated). Saves dashboard-light.png and
// dashboard-dark.png (the metrics view) into <screenshot-folder>. Exits 0 when all holds, 1 with what it saw.
import { chromium } from 'playwright-core';

const [url, secrets, folder, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!url || !secrets || !folder) {
  console.error('usage: node dashboard-views.mjs <dashboard-url> <secrets> <screenshot-folder> [chromium]');
  process.exit(2);
}

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const pageErrors = [];
let page;
// the points of a chart's lines, as drawn
const drawn = (scope, series) => page.$$eval(`${scope} .chart[data-series="${series}"] polyline`,
  lines => lines.map(l => l.getAttribute('points').trim().split(/\s+/).length));
const luminance = () => page.evaluate(() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
});
try {
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', e => pageErrors.push(e.message));
  await page.emulateMedia({ colorScheme: 'light' });

  // charts: the gateway's three series and each instance's runtime series, with at least two points drawn
  await page.goto(`${url}/#metrics`);
  await page.waitForFunction(() => {
    const count = (scope, series) => Number(document.querySelector(`${scope} .chart[data-series="${series}"]`)?.dataset.points ?? 0);
    const gateway = '.service-charts[data-key="gateway"]';
    return ['requests_per_second', 'error_share', 'p95_ms'].every(s => count(gateway, s) >= 2)
      && ['identity', 'gateway'].every(i => ['cpu_percent', 'working_set_mb', 'gc_heap_mb', 'gc_collections']
        .every(s => count(`.instance-charts[data-key="${i}"]`, s) >= 2));
  }, null, { timeout: 90_000, polling: 1_000 });
  for (const series of ['requests_per_second', 'error_share', 'p95_ms']) {
    const lines = await drawn('.service-charts[data-key="gateway"]', series);
    if (lines.length !== 1 || lines[0] < 2) throw new Error(`the gateway's ${series} chart draws ${JSON.stringify(lines)}`);
  }
  for (const instance of ['identity', 'gateway']) {
    for (const series of ['cpu_percent', 'working_set_mb', 'gc_heap_mb', 'gc_collections']) {
      const lines = await drawn(`.instance-charts[data-key="${instance}"]`, series);
      if (lines.length !== 1 || lines[0] < 2) throw new Error(`${instance}'s ${series} chart draws ${JSON.stringify(lines)}`);
    }
  }
  // the working set is a real figure: tens of megabytes at least, in the chart's caption
  const workingSet = await page.textContent('.instance-charts[data-key="identity"] .chart[data-series="working_set_mb"] .title');
  const mb = parseFloat(workingSet.replace(/^[^\d]*/, ''));
  if (!(mb > 10 && mb < 4096)) throw new Error(`identity's working set reads '${workingSet}'`);
  // the outbox chart has identity's line once the probes were read (the metrics view reads them)
  await page.waitForSelector('#charts-platform .chart[data-series="outbox_pending"] polyline[data-label="identity"]', { state: 'attached', timeout: 30_000 });

  if (await luminance() < 0.8) throw new Error(`the light page's background is dark (luminance ${await luminance()})`);
  await page.screenshot({ path: `${folder}/dashboard-light.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(300);
  if (await luminance() > 0.2) throw new Error(`the dark page's background is light (luminance ${await luminance()})`);
  const table = await page.$eval('#tab-metrics .card', c => getComputedStyle(c).backgroundColor);
  if (table === 'rgb(255, 255, 255)') throw new Error('the cards stay white in dark mode');
  await page.screenshot({ path: `${folder}/dashboard-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  // details: a click on identity's row; its environment masked, its endpoints and its one replica
  await page.click('nav a[data-tab="resources"]');
  await page.click('#resources tr[data-name="identity"] td:first-child');
  await page.waitForSelector('#resource-details[data-name="identity"] #details-environment tr', { timeout: 10_000 });
  const environment = Object.fromEntries(await page.$$eval('#details-environment tr',
    rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.textContent.trim()))));
  if (environment['Revocations__FeedKey'] !== '****') throw new Error(`the feed key shows as '${environment['Revocations__FeedKey']}'`);
  const probe = environment['ConnectionStrings__masking-probe'];
  if (probe !== 'Host=127.0.0.1;Username=probe;Password=****') throw new Error(`a connection string shows as '${probe}'`);
  if (!environment['ConnectionStrings__identity-db']?.includes('Database=')) throw new Error('identity-db is not listed');
  const text = await page.textContent('body');
  if (secrets.split(',').some(s => text.includes(s))) throw new Error('a secret shows on the page');
  if (!environment['ASPNETCORE_URLS']?.startsWith('http://127.0.0.1:')) throw new Error(`ASPNETCORE_URLS shows as '${environment['ASPNETCORE_URLS']}'`);
  const endpoints = await page.textContent('#details-endpoints');
  if (!endpoints.includes('/health/ready')) throw new Error(`the endpoints are ${endpoints}`);
  const replicas = await page.$$eval('#details-replicas tr[data-name]', rows => rows.map(r => r.dataset.name));
  if (replicas.join() !== 'identity') throw new Error(`the replicas are ${replicas.join()}`);
  // one instance: a roll would stop the only one serving, so the page offers none and says why
  if (await page.$('#rolling-restart')) throw new Error('a rolling restart is offered for one instance');
  if (!(await page.textContent('#rolling-restart-none'))?.includes('--replicas identity=2')) throw new Error('no word on why no rolling restart');

  if (pageErrors.length) throw new Error('the page threw: ' + pageErrors.join('; '));
  console.log(`ok: charts drawn, identity's working set ${mb} MB, ${Object.keys(environment).length} variables masked as due`);
} catch (e) {
  console.error('FAILED: ' + (e?.stack ?? e));
  if (page) console.error('page text: ' + (await page.textContent('body').catch(() => '(none)')).replace(/\s+/g, ' ').slice(0, 3000));
  if (pageErrors.length) console.error('page errors: ' + pageErrors.join('; '));
  process.exitCode = 1;
} finally {
  await browser.close();
}
