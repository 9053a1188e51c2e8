import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import { buildPanelAssets } from '../../edge-service/src/http/panel-assets.ts';

/*
 * The embedded-browser rules, checked on what the edge serves: the bundle parses as ES2017 (an
 * old panel browser's ceiling), and the panel's source uses no popup, history API, file input
 * or SVG.
 */
describe('panel bundle for embedded browsers', function () {
  this.timeout(60000);

  it('parses as an ES2017 script', async () => {
    const assets = await buildPanelAssets();
    const code = assets['app.js'].toString('utf8');
    assert.doesNotThrow(() => parse(code, { ecmaVersion: 2017, sourceType: 'script' }));
    // And the parser does refuse newer syntax (the check is not vacuous).
    assert.throws(() => parse('a ?? b', { ecmaVersion: 2017, sourceType: 'script' }));
    assert.throws(() => parse('a?.b', { ecmaVersion: 2017, sourceType: 'script' }));
  });

  it('uses no popups, history API, file input or SVG', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|html|css)$/.test(name)) files.push(path);
      }
    };
    walk(join(process.cwd(), 'device-app'));
    const banned: [RegExp, string][] = [
      [/window\.open\s*\(|\balert\s*\(|\bconfirm\s*\(|\bprompt\s*\(/, 'a popup'],
      [/history\.(push|replace)State|\bhistory\.(back|go)\b/, 'the history API'],
      [/type\s*[:=]\s*['"]file['"]/, 'a file input'],
      [/<svg|image\/svg|createElementNS|\.svg\b/, 'SVG'],
    ];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [pattern, what] of banned) assert.ok(!pattern.test(text), `${file} uses ${what}`);
    }
  });
});
