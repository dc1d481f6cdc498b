/**
 * A headless user agent for an authorization URL: it follows the redirects with its own cookies, signs in on the
 * authorization server's login page as `login`, consents, and follows the last redirect to the gateway's callback,
 * whose page it returns. Only for the development pages of the test authorization server.
 */

/** What the callback answered. */
export interface CallbackAnswer {
  readonly status: number;
  readonly text: string;
  /** The callback URL the authorization server redirected to. */
  readonly url: string;
}

/** Completes the authorization at `url` as the user `login`. */
export async function authorizeAs(url: string, login: string): Promise<CallbackAnswer> {
  const cookies = new Map<string, string>();
  let next: { url: string; init?: RequestInit } = { url };
  for (let step = 0; step < 20; step += 1) {
    const response = await fetch(next.url, {
      ...next.init,
      redirect: 'manual',
      headers: { ...(next.init?.headers as Record<string, string>), cookie: cookieHeader(cookies) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (location !== null) {
      next = { url: new URL(location, next.url).href };
      continue;
    }
    const text = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(text)?.[1];
    if (action === undefined) return { status: response.status, text, url: next.url };
    const prompt = /name="prompt" value="([^"]+)"/.exec(text)?.[1] ?? '';
    const fields: Record<string, string> =
      prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
    next = {
      url: new URL(action.replaceAll('&amp;', '&'), next.url).href,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      },
    };
  }
  throw new Error(`the authorization at ${url} did not end in 20 steps`);
}

function cookieHeader(cookies: Map<string, string>): string {
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}
