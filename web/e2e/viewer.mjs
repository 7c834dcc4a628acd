// The viewer driven in headless Chromium (Debian's, through playwright-core; no browser download).
// Usage: node e2e/viewer.mjs '{"baseUrl":..., "twinId":..., "olderVersionId":..., "artefactId":...,
//   "orderId":..., "canaries":[...]}'
//   or     node e2e/viewer.mjs '{"baseUrl":..., "signInOnly": {"user":..., "password":...}}'
// It signs in through the issuer's login form (the embedded issuer's or Keycloak's) as each user,
// does what that user would do, and prints what it saw as one JSON object on its last line; the
// calling test compares that with the API's answers.
import { chromium } from 'playwright-core';

const input = JSON.parse(process.argv[2]);
const base = input.baseUrl;
const TIMEOUT = Number(process.env.ANATWIN_E2E_TIMEOUT || 120_000);

const browser = await chromium.launch({
  executablePath: process.env.ANATWIN_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const seen = { pageErrors: [] };
let current; // the page in use, for the failure report

async function signedIn(user, hash, password = `${user}-secret`) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (error) => seen.pageErrors.push(`${user}: ${error.message}`));
  await page.goto(`${base}/${hash}`);
  await page.getByTestId('sign-in').click();
  await page.locator('#username').waitFor();
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('button[type=submit], input[type=submit]');
  await page.getByTestId('user').waitFor();
  current = page;
  return { context, page };
}

async function ready(page, hash) {
  if (!page.url().endsWith(hash)) await page.goto(`${base}/${hash}`);
  await page.waitForFunction((h) => document.getElementById('app').dataset.ready === h, hash);
}

/** The share of a screenshot's pixels that differ from the empty view's background. */
async function drawnFraction(page, locator) {
  const png = (await locator.screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const g = canvas.getContext('2d');
    g.drawImage(image, 0, 0);
    const { data: px } = g.getImageData(0, 0, image.width, image.height);
    let drawn = 0;
    for (let i = 0; i < px.length; i += 4) {
      const d = Math.abs(px[i] - 0x1d) + Math.abs(px[i + 1] - 0x23) + Math.abs(px[i + 2] - 0x2b);
      if (d > 40) drawn++;
    }
    return drawn / (px.length / 4);
  }, png);
}

/** Keeps a picture of the page for people reading a run's output (ANATWIN_E2E_OUT). */
async function keep(page, name) {
  if (process.env.ANATWIN_E2E_OUT) {
    await page.screenshot({ path: `${process.env.ANATWIN_E2E_OUT}/${name}.png`, fullPage: true });
  }
}

async function domText(page) {
  return page.evaluate(() => document.documentElement.outerHTML + document.body.innerText);
}

function canariesIn(text) {
  return input.canaries.filter((c) => text.toLowerCase().includes(c.toLowerCase()));
}

const twinHash = `#/twin/${encodeURIComponent(input.twinId)}`;
const lineageHash = `#/lineage/${encodeURIComponent(input.artefactId)}`;
const printHash = '#/print';

/** The demo users of every role, each doing what they would do. */
async function everyRole() {
  // the planner: the twin in 3D, its timeline, a measurement, the diff against an older version
  {
    const { context, page } = await signedIn('demo-planner', twinHash);
    await ready(page, twinHash);
    await page.locator('.structure').first().waitFor();
    const canvas = page.locator('[data-testid=viewport] canvas');
    seen.meshDrawnFraction = await drawnFraction(page, canvas);
    await keep(page, 'twin');
    seen.timeline = await page.getByTestId('version-chip').evaluateAll((chips) => chips.map((c) => Number(c.dataset.number)));
    await page.locator('.tool input[type=checkbox]').check();
    const box = await canvas.boundingBox();
    await canvas.click({ position: { x: box.width / 2 - 40, y: box.height / 2 } });
    await canvas.click({ position: { x: box.width / 2 + 40, y: box.height / 2 } });
    seen.measurement = await page.getByTestId('measurement').textContent();
    // per-structure visibility, and an axial section plane halfway up
    const visible = page.locator('.structure input[type=checkbox]').first();
    await visible.uncheck();
    seen.hiddenDrawnFraction = await drawnFraction(page, canvas);
    await visible.check();
    const section = page.getByTestId('section-axis');
    await section.selectOption('z');
    seen.sectionDrawnFraction = await drawnFraction(page, canvas);
    await section.selectOption('');
    await page.getByTestId('compare-select').selectOption(input.olderVersionId);
    const legendMax = page.getByTestId('legend-max');
    await legendMax.waitFor();
    seen.legendMax = Number(await legendMax.getAttribute('data-value'));
    seen.legendMaxText = await legendMax.textContent();
    seen.diffDrawnFraction = await drawnFraction(page, canvas);
    await keep(page, 'diff');
    seen.plannerCanaries = canariesIn(await domText(page));
    // a new version built from the page: progress while it builds, then the timeline grows by the
    // version the twinVersions subscription (WebSocket, token in the handshake) announces
    const chips = page.getByTestId('version-chip');
    const before = await chips.count();
    await page.getByTestId('build-version').click();
    await page.getByTestId('progress').waitFor();
    seen.buildProgressShown = true;
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=version-chip]').length === n, before + 1);
    seen.timelineAfterBuild = await chips.evaluateAll((all) => all.map((c) => Number(c.dataset.number)));
    // the lineage of the printed artefact
    await ready(page, lineageHash);
    seen.lineageInstances = Number(await page.getByTestId('count-Instance').textContent());
    seen.lineageNodesDrawn = await page.locator('.graph .node').count();
    await keep(page, 'lineage');
    // a token the service refuses (here: its signature broken) ends the session in the page
    await page.evaluate(() => {
      for (const key of Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:'))) {
        const stored = JSON.parse(sessionStorage.getItem(key));
        stored.access_token = `${stored.access_token.slice(0, -4)}AAAA`;
        sessionStorage.setItem(key, JSON.stringify(stored));
      }
    });
    await page.reload();
    await page.locator('[role=alert]').waitFor();
    seen.refusedTokenAlert = await page.locator('[role=alert]').textContent();
    seen.signInOffered = await page.getByTestId('sign-in').count();
    await context.close();
  }
  // the designer: the same pages, and no patient identity anywhere in them
  {
    const { context, page } = await signedIn('demo-designer', twinHash);
    await ready(page, twinHash);
    await page.locator('.structure').first().waitFor();
    let text = await domText(page);
    for (const hash of [lineageHash, printHash, '#/']) {
      await ready(page, hash);
      text += await domText(page);
    }
    seen.designerPages = 4;
    seen.designerCanaries = canariesIn(text);
    await context.close();
  }
  // the radiologist approves the waiting order in the print queue
  {
    const hash = `#/print?show=${encodeURIComponent('Waiting for approval')}`;
    const { context, page } = await signedIn('demo-radiologist', hash);
    await ready(page, hash);
    const order = page.locator(`article[data-order-id="${input.orderId}"]`);
    await order.getByTestId('approval-reason').fill('anatomy and scale checked against the CT');
    await order.getByTestId('approve').click();
    // the queue reloads; the order has left "waiting for approval"
    await order.waitFor({ state: 'detached' });
    await ready(page, '#/print');
    await keep(page, 'print-queue');
    seen.approvedBadge = await page.locator(`article[data-order-id="${input.orderId}"] [data-testid=order-state]`).textContent();
    // the printed copy's QA: its deviation map in 3D
    const measured = `#/print?show=${encodeURIComponent('Printed / QA')}`;
    await ready(page, measured);
    const printed = page.locator(`article[data-order-id="${input.printedOrderId}"]`);
    seen.qaText = await printed.locator('.job').textContent();
    await printed.getByTestId('deviation-map').click();
    const map = page.locator('dialog.map canvas');
    await map.waitFor();
    await page.waitForFunction(() => document.querySelector('dialog.map')?.dataset.ready === 'true');
    seen.deviationMapDrawnFraction = await drawnFraction(page, map);
    await keep(page, 'deviation-map');
    await context.close();
  }
}

try {
  if (input.signInOnly) {
    // a sign-in and the first page, as any user of the issuer (Keycloak in production)
    const { user, password } = input.signInOnly;
    const { context, page } = await signedIn(user, '#/', password);
    await ready(page, '#/');
    seen.signedInAs = await page.getByTestId('user').textContent();
    seen.who = await page.locator('#who').textContent();
    seen.heading = await page.locator('#app h1').textContent();
    seen.alerts = await page.locator('[role=alert]').allTextContents();
    await context.close();
  } else {
    await everyRole();
  }
} catch (error) {
  seen.error = String(error.stack || error);
  if (current && !current.isClosed()) {
    seen.errorPage = { url: current.url(), text: await current.evaluate(() => document.body.innerText).catch(() => '') };
    if (process.env.ANATWIN_E2E_OUT) {
      await current.screenshot({ path: `${process.env.ANATWIN_E2E_OUT}/failure.png` }).catch(() => {});
    }
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
