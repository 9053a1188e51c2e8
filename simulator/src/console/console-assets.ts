import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('./', import.meta.url));

export interface ConsoleAssets {
  'console.js': Buffer;
  'console.css': Buffer;
  'icon.svg': Buffer;
}

let building: Promise<ConsoleAssets> | null = null;

/**
 * The console's script, bundled from browser/*.ts, its style sheet and icon. Built once per process on
 * first use (the console runs in an ordinary desktop browser, so a modern target is fine).
 */
export function consoleAssets(): Promise<ConsoleAssets> {
  building ??= buildAssets().catch((error: unknown) => {
    building = null;
    throw error;
  });
  return building;
}

async function buildAssets(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: [`${HERE}browser/main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: ['es2022'],
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error('console build produced no output');
  return {
    'console.js': Buffer.from(js.contents),
    'console.css': await readFile(`${HERE}console.css`),
    'icon.svg': await readFile(`${HERE}icon.svg`),
  };
}
