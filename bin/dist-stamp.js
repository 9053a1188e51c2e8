// Which files dist/ mirrors, and the stamp that says whether it was built from them as they are now:
// a hash of every source file's path, size and modification time (a few milliseconds to take, so
// bin/mfp-edge.js takes it at every start and never runs a stale build).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const STAMP_FILE = '.source-stamp';
export const SOURCE_DIRS = ['bin', 'edge-service', 'protocol', 'simulator', 'device-app'];

/** Every file of the source folders, relative to the repository, in a stable order. */
export function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(relative(ROOT, path).split('\\').join('/'));
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(ROOT, dir));
  files.push('package.json');
  return files;
}

export function sourceStamp(files = sourceFiles()) {
  const hash = createHash('sha256');
  for (const file of files) {
    const { size, mtimeMs } = statSync(join(ROOT, file));
    hash.update(`${file}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Whether dist/ (or `dir`) was built from the sources as they are now. */
export function distIsCurrent(dir = DIST) {
  try {
    return readFileSync(join(dir, STAMP_FILE), 'utf8') === sourceStamp();
  } catch {
    return false;
  }
}
