#!/usr/bin/env node
// `npm run build` (also npm's prepare, so `npm install` runs it): the TypeScript of bin/, edge-service/,
// protocol/ and simulator/ compiled to plain JavaScript in dist/, the tree mirrored file for file — the
// sources and every other file copied beside the compiled modules — so a lookup relative to a module
// (assets, the sources the edge bundles for browsers, package.json) finds the same file as from the
// sources. bin/mfp-edge.js runs dist/ only while it was built from the sources as they are now
// (dist-stamp.js), else the sources through tsx. A failed build never fails an install: the sources
// still run.
import { transformSync } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DIST, ROOT, STAMP_FILE, sourceFiles, sourceStamp } from './dist-stamp.js';

// Relative static and dynamic imports of our own modules: `.ts` becomes `.js`.
const TS_IMPORT = /((?:\bfrom|\bimport)\s*\(?\s*['"])(\.{1,2}\/[^'"\n]+)\.ts(['"])/g;

/** The panel app is bundled for browsers from its TypeScript at start: copied, never compiled here. */
const compiles = (file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.startsWith('device-app/');

function build(out) {
  const started = performance.now();
  const temp = `${out}.building-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  const files = sourceFiles();
  let compiled = 0;
  for (const file of files) {
    const target = join(temp, file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(ROOT, file), target);
    if (!compiles(file)) continue;
    const { code } = transformSync(readFileSync(join(ROOT, file), 'utf8'), {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      // As tsx runs them: names kept (error classes and the pool threads' copied functions use them).
      keepNames: true,
      sourcefile: file,
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    writeFileSync(target.replace(/\.ts$/, '.js'), code.replace(TS_IMPORT, '$1$2.js$3'));
    compiled++;
  }
  copyFileSync(join(ROOT, 'package.json'), join(temp, 'package.json'));
  writeFileSync(join(temp, STAMP_FILE), sourceStamp(files));
  rmSync(out, { recursive: true, force: true });
  renameSync(temp, out);
  return { compiled, files: files.length, ms: Math.round(performance.now() - started) };
}

// `--out DIR` builds elsewhere (the build's own test); the edge runs dist/ only.
const at = process.argv.indexOf('--out');
const out = at > 0 ? resolve(process.argv[at + 1]) : DIST;
try {
  const { compiled, files, ms } = build(out);
  if (!process.argv.includes('--quiet'))
    process.stdout.write(`dist/: ${compiled} modules compiled, ${files} files mirrored, in ${ms} ms\n`);
} catch (error) {
  rmSync(out, { recursive: true, force: true });
  process.stderr.write(`mfp-edge: the build failed, the sources will run through tsx: ${error.message}\n`);
}
