/**
 * A browser without a page: fetch with one cookie jar per host:port and manual redirects, so a
 * test can walk an IdP's sign-in and see every hop (the refusal tests of company sign-in).
 */
export class CookieJarClient {
  readonly #jars = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.#jars.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    if (!this.#jars.has(host)) this.#jars.set(host, new Map());
    this.#jars.get(host)!.set(name, value);
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const jar = this.#jars.get(new URL(url).host);
    const headers: Record<string, string> = { ...init.headers };
    if (jar && jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === '') this.#jars.get(new URL(url).host)?.delete(name);
      else this.setCookie(url, name, value);
    }
    return response;
  }

  /** GETs (or POSTs) and follows redirects while `until` says go on; answers the last response and its URL. */
  async follow(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
    until: (url: string) => boolean = () => true,
    hops = 10,
  ): Promise<{ response: Response; url: string }> {
    let response = await this.request(url, init);
    let current = url;
    for (let i = 0; i < hops && response.status >= 300 && response.status < 400; i++) {
      const next = new URL(response.headers.get('location')!, current).href;
      if (!until(next)) return { response, url: current };
      await response.body?.cancel();
      current = next;
      response = await this.request(current);
    }
    return { response, url: current };
  }
}

/** The fields of the first HTML form in a page (action and hidden inputs): an IdP's auto-post. */
export function htmlForm(html: string): { action: string; fields: Record<string, string> } {
  const decode = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#0*39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const action = /<form[^>]*action="([^"]*)"/i.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form in the page: ${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input([^>]*)>/gi)) {
    const name = /name="([^"]*)"/i.exec(match[1]!)?.[1];
    const value = /value="([^"]*)"/i.exec(match[1]!)?.[1];
    if (name) fields[decode(name)] = decode(value ?? '');
  }
  return { action: decode(action), fields };
}
