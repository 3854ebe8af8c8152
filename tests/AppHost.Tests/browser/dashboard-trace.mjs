// Usage: node dashboard-trace.mjs <dashboard-url> <request-id> [chromium]
// Opens the dashboard in Chromium, checks the resources and the live console, finds the request's
// trace by its request id and checks its waterfall holds spans of both the gateway and identity,
// that the trace's logs link back to it, and that the metrics show the gateway and identity's outbox.
// Exits 0 when all holds, 1 (with what it saw) otherwise. DASHBOARD_SCREENSHOT=<png> also saves the trace view.
import { chromium } from 'playwright-core';

const [url, requestId, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!url || !requestId) {
  console.error('usage: node dashboard-trace.mjs <dashboard-url> <request-id> [chromium]');
  process.exit(2);
}

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const pageErrors = [];
let page;
try {
  page = await browser.newPage();
  page.on('pageerror', e => pageErrors.push(e.message));

  // resources: both services listed as healthy, with their buttons
  await page.goto(`${url}/#resources`);
  for (const name of ['identity', 'gateway']) {
    await page.waitForSelector(`#resources tr[data-name="${name}"] .state.healthy`, { timeout: 20_000 });
    await page.waitForSelector(`#resources tr[data-name="${name}"] button[data-action="restart"]`, { timeout: 5_000 });
  }

  // console: the live stream shows identity's output, and the filter hides what does not match
  await page.click('nav a[data-tab="console"]');
  await page.waitForFunction(() => document.getElementById('console').textContent.includes('[identity]'), null, { timeout: 20_000 });
  await page.fill('#console-filter', 'no line contains this ' + Date.now());
  await page.waitForFunction(() => document.getElementById('console').textContent.trim() === '', null, { timeout: 5_000 });
  await page.fill('#console-filter', '');

  // traces: search by the request id until both services' spans have arrived (exporters batch every few seconds)
  await page.click('nav a[data-tab="traces"]');
  // The list the tab loaded unfiltered may still be shown for a moment after the search is sent (a loaded machine
  // answered the tab's first load after the search once): more than one row is looked at again, and is a failure only
  // if it is still what the search shows at the deadline.
  const deadline = Date.now() + 60_000;
  let row = null;
  let seen = '';
  while (Date.now() < deadline) {
    await page.fill('#trace-search', requestId);
    await page.click('#trace-refresh');
    await page.waitForTimeout(1_000);
    const rows = await page.$$('#traces tr.trace-row');
    const texts = await Promise.all(rows.map(r => r.textContent()));
    if (rows.length === 1 && texts[0].includes('gateway') && texts[0].includes('identity')) { row = rows[0]; break; }
    seen = rows.length > 1 ? `the request id matched ${rows.length} traces: ${texts.join(' | ')}` : '';
  }
  if (!row && seen) throw new Error(seen);
  if (!row) throw new Error(`no trace with spans of both gateway and identity for request ${requestId}; the list shows: ${await page.textContent('#traces')}`);
  await row.click();
  await page.waitForSelector('#waterfall tr.span-row', { timeout: 10_000 });
  const services = await page.$$eval('#waterfall tr.span-row', rows => rows.map(r => r.dataset.service));
  if (!services.includes('gateway') || !services.includes('identity')) throw new Error(`the waterfall shows spans of ${services.join(', ')}`);
  if (services[0] !== 'gateway') throw new Error(`the waterfall starts with ${services[0]}, not the gateway's span`);
  // the bars are laid out on one time axis: every one inside the row
  const bars = await page.$$eval('#waterfall .bar', bars => bars.map(b => [parseFloat(b.style.left), parseFloat(b.style.width)]));
  if (bars.some(([left, width]) => !(left >= 0 && left + width <= 100.5))) throw new Error(`bars off the axis: ${JSON.stringify(bars)}`);
  // a span's attributes open on click
  await page.click('#waterfall tr.span-row[data-service="gateway"]');
  await page.waitForSelector('#waterfall tr.attrs.open', { timeout: 5_000 });
  if (!(await page.textContent('#waterfall tr.attrs.open')).includes(requestId)) throw new Error('the gateway span does not show its request_id');

  // the trace's structured logs: the link filters the logs tab by its trace id (the tab refreshes as log batches arrive)
  await page.click('#trace-logs-link');
  await page.waitForFunction(() => [...document.querySelectorAll('#logs tr[data-i]')].some(r => r.textContent.includes('identity')), null, { timeout: 30_000 })
    .catch(async e => {
      throw new Error(`${e.message}; trace id filter: ${await page.inputValue('#logs-trace')}; logs: ${(await page.textContent('#logs')).replace(/\s+/g, ' ').trim().slice(0, 500)}`);
    });
  const traceId = await page.inputValue('#logs-trace');
  const linked = await page.$$eval('#logs tr[data-i] a', links => links.map(a => a.getAttribute('href')));
  if (!traceId || linked.some(href => href !== `#traces/${traceId}`)) throw new Error(`logs of trace ${traceId} link elsewhere: ${linked.join(', ')}`);

  // metrics: the gateway's request rate (exported every 5 s) and identity's outbox (the page reloads them every 5 s;
  // a loaded machine, as CI's with every test project at once, has been seen to take over 30 s)
  await page.click('nav a[data-tab="metrics"]');
  await page.waitForFunction(() => document.getElementById('metrics-requests').textContent.includes('gateway')
    && document.getElementById('metrics-outbox').textContent.includes('identity'), null, { timeout: 60_000 })
    .catch(async e => {
      const shown = async id => (await page.textContent('#' + id)).replace(/\s+/g, ' ').trim();
      throw new Error(`${e.message}; requests: ${await shown('metrics-requests')}; outbox: ${await shown('metrics-outbox')}`);
    });

  if (pageErrors.length) throw new Error('the page threw: ' + pageErrors.join('; '));
  // DASHBOARD_SCREENSHOT=file.png keeps a picture of the waterfall, for a person looking at a failure or a change
  if (process.env.DASHBOARD_SCREENSHOT) {
    await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT.replace(/\.png$/, '-metrics.png'), fullPage: true });
    await page.goBack(); await page.goBack();
    await page.waitForSelector('#waterfall tr.span-row');
    await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });
  }
  console.log(`ok: trace of ${requestId} shows ${services.length} spans from ${[...new Set(services)].join(', ')}`);
} catch (e) {
  console.error('FAILED: ' + (e?.stack ?? e));
  if (page) console.error('page text: ' + (await page.textContent('body').catch(() => '(none)')).replace(/\s+/g, ' ').slice(0, 3000));
  if (pageErrors.length) console.error('page errors: ' + pageErrors.join('; '));
  process.exitCode = 1;
} finally {
  await browser.close();
}
