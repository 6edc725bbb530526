// Writes a brotli (.br) and a gzip (.gz) copy beside every compressible file of the built client, at the
// highest quality: done once per build, so the server sends them as they are (@fastify/static's
// preCompressed) instead of compressing on every request or not at all.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|map|webmanifest|xml)$/;

const root = process.argv[2] ?? fileURLToPath(new URL('../dist/browser/', import.meta.url));

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (COMPRESSIBLE.test(entry.name)) yield full;
  }
}

const brotli = (data) =>
  zlib.brotliCompressSync(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
const gzip = (data) => zlib.gzipSync(data, { level: zlib.constants.Z_BEST_COMPRESSION });

let written = 0;
for (const file of files(root)) {
  const data = fs.readFileSync(file);
  for (const [extension, compress] of [['.br', brotli], ['.gz', gzip]]) {
    const compressed = compress(data);
    // A copy no smaller than the file would only cost a read: without it, the server sends the file itself.
    if (compressed.length >= data.length) continue;
    fs.writeFileSync(file + extension, compressed);
    written += 1;
  }
}
console.log(`precompress: ${written} .br and .gz files written in ${path.relative(process.cwd(), root) || '.'}`);
