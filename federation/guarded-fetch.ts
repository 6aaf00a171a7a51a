// The outbound wall: a fetch that reaches allowlisted origins only. The URL is checked before
// the request is handed to the real fetch, so a refused host is never looked up in DNS nor
// connected to, and redirects are followed here, one checked hop at a time, so a sibling cannot
// bounce us to an outsider. Loopback and private addresses get no special treatment either way:
// they are reachable exactly when allowlisted.
import { originOfUrl } from "./allowlist.ts";
import type { RefusalRecorder } from "./refusals.ts";

/** What the guard asks of the allowlist (an Allowlist fits). */
export interface UrlPolicy {
  allowsUrl(url: URL | string): boolean;
}

export interface GuardedFetchOptions {
  /** This instance's origin, always allowed (an Allowlist allows it already). */
  ownOrigin?: string;
  /** Where outbound refusals are counted. */
  refusals?: RefusalRecorder;
  /** The fetch that does the work; default: globalThis.fetch as it is when the guard is made. */
  baseFetch?: typeof fetch;
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number;
}

export const REFUSED_NOT_ALLOWLISTED = "not allowlisted";
export const REFUSED_REDIRECT = "redirect out of the allowlist";

/**
 * A request the wall did not let out. A TypeError, as fetch's own network failures are, so code
 * that handles "the fetch failed" handles this too.
 */
export class FederationRefusedError extends TypeError {
  override name = "FederationRefusedError";
  readonly url: string;
  readonly host: string;
  readonly reason: string;

  constructor(url: string, host: string, reason: string) {
    super(`refused to fetch ${url}: ${host} is not an allowlisted sibling (${reason})`);
    this.url = url;
    this.host = host;
    this.reason = reason;
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Request headers that describe a body, dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
];
/** Credentials meant for one origin, dropped when a redirect leaves it (as the Fetch standard does). */
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie", "proxy-authorization", "host"];

function urlOf(input: RequestInfo | URL): string {
  if (input instanceof URL) return input.href;
  if (typeof input === "string") return input;
  return input.url;
}

function hostOfUrl(url: string): string {
  try {
    return new URL(url).host || url.slice(0, 255);
  } catch {
    return url.slice(0, 255);
  }
}

/** A fetch-compatible function that only reaches what `allowlist` allows. */
export function createGuardedFetch(
  allowlist: UrlPolicy,
  options: GuardedFetchOptions = {},
): typeof fetch {
  const baseFetch = options.baseFetch ?? globalThis.fetch;
  const ownOrigin = options.ownOrigin ? originOfUrl(options.ownOrigin) : null;
  const maxRedirects = options.maxRedirects ?? 5;

  const check = (url: string, reason: string): void => {
    if (allowlist.allowsUrl(url)) return;
    if (ownOrigin !== null && originOfUrl(url) === ownOrigin) return;
    const host = hostOfUrl(url);
    options.refusals?.record({ host, direction: "outbound", reason });
    throw new FederationRefusedError(url, host, reason);
  };

  const guardedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    // First of all, before anything can touch the network.
    check(urlOf(input), REFUSED_NOT_ALLOWLISTED);
    const request = new Request(input, init);
    // The caller follows redirects itself; each hop comes back through this guard.
    if (request.redirect === "manual") return baseFetch(request);

    // Kept for a 307/308 redirect, which repeats the request with its body.
    const body = request.body === null ? null : await request.arrayBuffer();
    const headers = new Headers(request.headers);
    let method = request.method;
    let payload: ArrayBuffer | null = body;
    let url = new URL(request.url);
    for (let hop = 0; ; hop++) {
      const response = await baseFetch(url, {
        method,
        headers,
        body: payload,
        signal: request.signal,
        redirect: "manual",
      });
      const location = response.headers.get("location");
      if (!REDIRECT_STATUSES.has(response.status) || location === null) {
        if (hop > 0) Object.defineProperty(response, "redirected", { value: true });
        return response;
      }
      await response.body?.cancel().catch(() => {});
      if (request.redirect === "error") {
        throw new TypeError(`fetch failed: ${url.href} redirects, and redirect mode is "error"`);
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new TypeError(`fetch failed: ${url.href} redirects to an invalid URL`);
      }
      check(next.href, REFUSED_REDIRECT);
      if (hop + 1 > maxRedirects) {
        throw new TypeError(
          `fetch failed: more than ${maxRedirects} redirects from ${request.url}`,
        );
      }
      const becomesGet =
        (response.status === 303 && method !== "HEAD") ||
        ((response.status === 301 || response.status === 302) && method === "POST");
      if (becomesGet) {
        method = "GET";
        payload = null;
        for (const name of BODY_HEADERS) headers.delete(name);
      }
      if (next.origin !== url.origin) {
        for (const name of ORIGIN_BOUND_HEADERS) headers.delete(name);
      }
      url = next;
    }
  };
  return guardedFetch as typeof fetch;
}

const INSTALLED = Symbol.for("hallway.federation.fetchGuard");

/**
 * Replaces globalThis.fetch with a guarded one (Fedify makes every request through it); returns
 * a function that puts the previous fetch back. Installing twice is a mistake and throws.
 */
export function installGlobalFetchGuard(
  allowlist: UrlPolicy,
  options: GuardedFetchOptions = {},
): () => void {
  const previous = globalThis.fetch;
  if ((previous as unknown as Record<symbol, unknown>)[INSTALLED]) {
    throw new Error("a federation fetch guard is already installed");
  }
  const guarded = createGuardedFetch(allowlist, {
    ...options,
    baseFetch: options.baseFetch ?? previous,
  });
  Object.defineProperty(guarded, INSTALLED, { value: true });
  globalThis.fetch = guarded;
  return () => {
    if (globalThis.fetch === guarded) globalThis.fetch = previous;
  };
}

/** Whether globalThis.fetch is guarded (for a startup check or a test). */
export function isGlobalFetchGuarded(): boolean {
  return Boolean((globalThis.fetch as unknown as Record<symbol, unknown>)[INSTALLED]);
}
