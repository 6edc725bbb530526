// Builds what `npm start` serves, but only the parts whose inputs changed since they were last built: on an
// unchanged checkout it builds nothing, so the server is up in a second or two rather than after a whole build.
//
// Each part's inputs (its sources and configuration, the lockfile, and the parts it is built from) are hashed by
// content: a checkout, a stash or a copy changes modification times without changing what is built. After a
// build, a stamp keeps that hash and a fingerprint of the output (each file's path, size and time), so an output
// that anything else rebuilt, changed or removed since (`npm run build`, `npm run dev`) is built again too.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const STAMPS = path.join(root, 'node_modules/.cache/parley-build');

/** In build order: each part's inputs (files and folders), the parts it is built from, and its output folder. */
const PARTS = [
  { name: 'protocol', inputs: ['protocol/src', 'protocol/package.json', 'protocol/tsconfig.json'], after: [], output: 'protocol/dist' },
  { name: 'server', inputs: ['server/src', 'server/package.json', 'server/tsconfig.build.json'], after: ['protocol'], output: 'server/dist' },
  {
    name: 'web',
    inputs: ['web/src', 'web/public', 'web/scripts', 'web/angular.json', 'web/package.json', 'web/tsconfig.json', 'web/tsconfig.app.json'],
    after: ['protocol'],
    output: 'web/dist',
  },
];
const SHARED_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.base.json'];

/** Files that go into no build: unit tests. */
const NOT_BUILT = /\.spec\.ts$/;

function* filesUnder(relative) {
  const full = path.join(root, relative);
  if (!fs.existsSync(full)) return;
  if (!fs.statSync(full).isDirectory()) {
    yield relative;
    return;
  }
  for (const entry of fs.readdirSync(full).sort()) yield* filesUnder(path.join(relative, entry));
}

function inputsHash(part, hashes) {
  const hash = createHash('sha256');
  for (const name of part.after) hash.update(`${name} ${hashes.get(name)}\n`);
  for (const file of [...SHARED_INPUTS, ...part.inputs].flatMap((input) => [...filesUnder(input)])) {
    if (NOT_BUILT.test(file)) continue;
    hash.update(`${file}\n`);
    hash.update(fs.readFileSync(path.join(root, file)));
  }
  return hash.digest('hex');
}

function outputFingerprint(part) {
  const hash = createHash('sha256');
  for (const file of filesUnder(part.output)) {
    const stat = fs.statSync(path.join(root, file));
    hash.update(`${file} ${stat.size} ${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function readStamp(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const hashes = new Map();
for (const part of PARTS) {
  const inputs = inputsHash(part, hashes);
  hashes.set(part.name, inputs);
  const stampFile = path.join(STAMPS, `${part.name}.json`);
  const stamp = readStamp(stampFile);
  if (stamp?.inputs === inputs && stamp.output === outputFingerprint(part) && fs.existsSync(path.join(root, part.output))) {
    console.log(`${part.name}: unchanged since its last build`);
    continue;
  }
  console.log(`${part.name}: building`);
  // Until this build succeeds, nothing says the output is current.
  fs.rmSync(stampFile, { force: true });
  execFileSync('npm', ['run', 'build', '-w', part.name], { cwd: root, stdio: 'inherit' });
  fs.mkdirSync(STAMPS, { recursive: true });
  fs.writeFileSync(stampFile, JSON.stringify({ inputs, output: outputFingerprint(part) }));
}
