import { CookieJarClient, htmlForm } from './cookie-jar-client.ts';

/**
 * The browser's part of a WS-Federation sign-in at simplesamlphp's `adfs` IdP
 * (test/helpers/simplesamlphp-idp.ts), driven with fetch: from our sign-in URL through its login
 * form to the form it would auto-POST to us, whose action (wreply) and fields (wa, wresult, wctx)
 * it returns. `client` keeps the cookies (pass the one that started the sign-in at the edge).
 */
export async function signInAtAdfs(
  signInUrl: string,
  username: string,
  password: string,
  client = new CookieJarClient(),
): Promise<{ action: string; fields: Record<string, string> }> {
  let url = signInUrl;
  let form: Record<string, string> | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const response = await client.request(url, form === undefined ? {} : { form });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      url = new URL(location, url).href;
      form = undefined;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`simplesamlphp answered ${response.status} at ${url}: ${html.slice(0, 800)}`);
    const page = htmlForm(html);
    if (page.fields.wresult !== undefined) return page;
    if (!/name="password"/.test(html)) throw new Error(`no login form at ${url}: ${html.slice(0, 800)}`);
    url = new URL(page.action === '' ? url : page.action, url).href;
    form = { ...page.fields, username, password };
  }
  throw new Error('The sign-in at simplesamlphp did not end in a token form within 10 steps');
}
