import { CookieJar } from './cookie-jar.ts';

/**
 * The browser's part of a WS-Federation sign-in at simplesamlphp's `adfs` IdP
 * (test/helpers/simplesamlphp-idp.ts), driven with fetch and a cookie jar.
 */

function decodeEntities(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#039;', "'")
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function hiddenInputs(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(match[0])?.[1];
    const value = /value="([^"]*)"/.exec(match[0])?.[1];
    if (name !== undefined && value !== undefined) fields[name] = decodeEntities(value);
  }
  return fields;
}

/**
 * Follows the browser from our sign-in URL through simplesamlphp's login form, and returns the
 * form the IdP would auto-POST to us: its action (wreply) and fields (wa, wresult, wctx).
 */
export async function signInAtAdfs(
  signInUrl: string,
  username: string,
  password: string,
): Promise<{ action: string; fields: Record<string, string> }> {
  const jar = new CookieJar();
  let url = signInUrl;
  let init: { method: string; body?: URLSearchParams } = { method: 'GET' };
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { cookie: jar.header() },
      signal: AbortSignal.timeout(10000),
    });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      url = new URL(location, url).href;
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`simplesamlphp answered ${response.status} at ${url}: ${html.slice(0, 800)}`);
    const fields = hiddenInputs(html);
    if (fields.wresult !== undefined) {
      const action = decodeEntities(/<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '');
      return { action, fields };
    }
    if (!/name="password"/.test(html)) throw new Error(`no login form at ${url}: ${html.slice(0, 800)}`);
    const action = decodeEntities(/<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '');
    url = new URL(action === '' ? url : action, url).href;
    init = { method: 'POST', body: new URLSearchParams({ ...fields, username, password }) };
  }
  throw new Error('The sign-in at simplesamlphp did not end in a token form within 10 steps');
}
