// Test-only: a person in a real browser. Opens URL in Debian's headless
// Chromium (driven by playwright-core, no browser download), clicks the
// element with id BUTTON on the consent page, and waits until the browser has
// followed the redirect to the loopback server. Usage: node click.mjs URL BUTTON
import { chromium } from 'playwright-core';

const [url, button] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(url, { timeout: 20000 });
  await Promise.all([
    page.waitForURL((u) => u.hostname === '127.0.0.1' && !u.pathname.startsWith('/o/oauth2'), { timeout: 20000 }),
    page.click(`#${button}`),
  ]);
  process.stdout.write(`landed on ${page.url()}\n`);
} finally {
  await browser.close();
}
