// Driving the OAuth pages through inject() as a browser would: cookies, hidden form fields, PKCE.
import { createHash, randomBytes } from "node:crypto";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

export interface RegisteredApp {
  id: string;
  client_id: string;
  client_secret: string;
  redirect_uri: string;
  redirect_uris: string[];
  scopes: string[];
}

export async function registerApp(
  app: FastifyInstance,
  fields: { redirect_uris: string | string[]; scopes?: string; client_name?: string },
): Promise<RegisteredApp> {
  const response = await app.inject({
    method: "POST",
    url: "/api/v1/apps",
    payload: { client_name: "Flow client", ...fields },
  });
  if (response.statusCode !== 200) throw new Error(`app registration failed: ${response.body}`);
  return response.json();
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

const unescapeHtml = (text: string) =>
  text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");

/** The hidden inputs of the page's form, as the browser would send them back. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[unescapeHtml(match[1]!)] = unescapeHtml(match[2]!);
  }
  return fields;
}

/** Keeps the cookies a browser would, for one site. */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly app: FastifyInstance;
  readonly remoteAddress: string;

  constructor(app: FastifyInstance, remoteAddress = "127.0.0.1") {
    this.app = app;
    this.remoteAddress = remoteAddress;
  }

  #remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === "") this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: "GET",
      url,
      remoteAddress: this.remoteAddress,
      headers: { cookie: this.cookieHeader, accept: "text/html" },
    });
    this.#remember(response);
    return response;
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: "POST",
      url,
      remoteAddress: this.remoteAddress,
      headers: { cookie: this.cookieHeader, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(form).toString(),
    });
    this.#remember(response);
    return response;
  }

  /** Fills in the sign-in form on `page` and sends it. */
  signIn(page: LightMyRequestResponse, login: string, password: string): Promise<LightMyRequestResponse> {
    return this.post("/auth/sign_in", { ...hiddenFields(page.body), login, password });
  }

  /** Presses Authorize (or Deny) on the consent `page`. */
  decide(page: LightMyRequestResponse, decision: "approve" | "deny"): Promise<LightMyRequestResponse> {
    return this.post("/oauth/authorize", { ...hiddenFields(page.body), decision });
  }
}

export function authorizePath(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  return `/oauth/authorize?${query}`;
}

/**
 * Signs in and approves, returning where the consent form sent the browser. Each step is checked
 * so that a broken page fails here with its body rather than later with a missing code.
 */
export async function authorize(
  browser: Browser,
  params: Record<string, string | undefined>,
  login: { login: string; password: string },
  decision: "approve" | "deny" = "approve",
): Promise<LightMyRequestResponse> {
  const signInPage = await browser.get(authorizePath({ response_type: "code", ...params }));
  if (signInPage.statusCode !== 200) throw new Error(`sign-in page: ${signInPage.statusCode} ${signInPage.body}`);
  const signedIn = await browser.signIn(signInPage, login.login, login.password);
  if (signedIn.statusCode !== 303) throw new Error(`sign-in: ${signedIn.statusCode} ${signedIn.body}`);
  const consent = await browser.get(signedIn.headers.location as string);
  if (!consent.body.includes('id="authorize"')) throw new Error(`consent page: ${consent.statusCode} ${consent.body}`);
  return browser.decide(consent, decision);
}

/** The query parameters of a redirect's Location. */
export function redirectParams(response: LightMyRequestResponse): URLSearchParams {
  return new URL(response.headers.location as string).searchParams;
}
