// Rewrites the built index.html so that the page draws before its code runs (see the script at the end of
// src/index.html):
// - the global stylesheet, about 1.5 KB, goes inline: the first paint waits for no other request;
// - the scripts and module preloads the build added are taken out and listed in <meta name="parley-scripts">
//   (the entry first), for the page's own script to ask for once the frame is on screen.
// Run after `ng build`, before precompress.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? fileURLToPath(new URL('../dist/browser/', import.meta.url));
const indexFile = path.join(root, 'index.html');
let html = fs.readFileSync(indexFile, 'utf8');

const fail = (what) => {
  throw new Error(`defer-scripts: ${what} in ${indexFile}; has the build changed how it writes index.html?`);
};

const stylesheets = [...html.matchAll(/<link rel="stylesheet" href="(styles-[A-Z0-9]+\.css)"[^>]*>/g)];
if (stylesheets.length !== 1) fail(`expected one global stylesheet, found ${stylesheets.length}`);
const [link, stylesheet] = stylesheets[0];
html = html.replace(link, () => `<style>${fs.readFileSync(path.join(root, stylesheet), 'utf8')}</style>`);

const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)"[^>]*>/g)];
const entries = [...html.matchAll(/<script src="([^"]+)" type="module"><\/script>/g)];
if (entries.length !== 1) fail(`expected one module script, found ${entries.length}`);
for (const [tag] of [...preloads, ...entries]) html = html.replace(tag, '');
const scripts = [entries[0][1], ...preloads.map(([, href]) => href)];
if (scripts.some((file) => !/^[\w.-]+\.js$/.test(file))) fail(`unexpected script names ${scripts.join(' ')}`);
html = html.replace('</head>', `<meta name="parley-scripts" content="${scripts.join(' ')}"></head>`);

fs.writeFileSync(indexFile, html);
console.log(`defer-scripts: ${stylesheet} inlined; ${scripts.join(', ')} asked for after the first paint`);
