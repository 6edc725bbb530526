// Draws the favicons (public/favicon.png, and public/favicon-unread.png with the unread dot) from their SVG source
// below, at 64 px for sharp tabs on dense screens. Run by hand when the icon changes (`node web/scripts/favicons.mjs`),
// with Debian's Chromium; the PNGs are committed. PNG rather than SVG: a browser opens an SVG favicon as a document
// of its own, about 12 ms on the main thread here (48 ms on a phone), while the page's frame is being drawn.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ICON = '<rect width="32" height="32" rx="8" fill="#3b5bdb"/><path d="M8 10h16v10H14l-6 5z" fill="#fff"/>';
const DOT = '<circle cx="25" cy="7" r="6.5" fill="#e03131" stroke="#fff" stroke-width="2"/>';
const SIZE = 64;
const publicDir = fileURLToPath(new URL('../public/', import.meta.url));

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
  for (const [file, shapes] of [['favicon.png', ICON], ['favicon-unread.png', ICON + DOT]]) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="${SIZE}" height="${SIZE}">${shapes}</svg>`;
    await page.setContent(`<body style="margin:0;background:transparent">${svg}</body>`);
    await page.locator('svg').screenshot({ path: path.join(publicDir, file), omitBackground: true });
    console.log(`favicons: ${file} written`);
  }
} finally {
  await browser.close();
}
