import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleBrowserScript } from './browser-assets.ts';

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
  return {
    'index.html': await readFile(`${DEVICE_APP}index.html`),
    'app.js': await bundleBrowserScript(`${DEVICE_APP}src/main.ts`, 'es2017', 'panel app'),
    'app.css': await readFile(`${DEVICE_APP}src/app.css`),
  };
}
