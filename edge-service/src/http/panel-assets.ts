import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const DEVICE_APP = fileURLToPath(new URL('../../../device-app/', import.meta.url));

export interface PanelAssets {
  'index.html': Buffer;
  'app.js': Buffer;
  'app.css': Buffer;
}

/**
 * Builds the panel app once at start. Panel browsers are old WebKit/Chromium builds: the bundle is
 * down-levelled to ES2017, one script, no modules.
 */
export async function buildPanelAssets(): Promise<PanelAssets> {
  const result = await build({
    entryPoints: [`${DEVICE_APP}src/main.ts`],
    bundle: true,
    write: false,
    format: 'iife',
    target: ['es2017'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error('panel app build produced no output');
  return {
    'index.html': await readFile(`${DEVICE_APP}index.html`),
    'app.js': Buffer.from(js.contents),
    'app.css': await readFile(`${DEVICE_APP}src/app.css`),
  };
}
