// Renders media/icon.svg to media/icon.png (128×128, the Marketplace icon) with headless Chromium.
// Usage: node scripts/render-icon.mjs   (needs /usr/bin/chromium or CHROMIUM_PATH; see scripts/install-code-server.sh)
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const SIZE = 128;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0">${readFileSync('media/icon.svg', 'utf8')}</body></html>`);
  await page.screenshot({ path: 'media/icon.png', omitBackground: true, clip: { x: 0, y: 0, width: SIZE, height: SIZE } });
} finally {
  await browser.close();
}
