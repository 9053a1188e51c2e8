#!/usr/bin/env node
// The package bin. It runs dist/ — plain JavaScript made by `npm run build` (npm install runs it):
// faster to start and ~60 MB smaller (README "Running it as a service") — while dist/ was built from
// the sources as they are now, and the TypeScript sources through tsx's loader otherwise, so an edited
// source is never run stale. MFP_EDGE_FROM_SOURCE=1 always runs the sources.
import { distIsCurrent } from './dist-stamp.js';

let main;
if (process.env.MFP_EDGE_FROM_SOURCE !== '1' && distIsCurrent()) {
  ({ main } = await import('../dist/bin/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
