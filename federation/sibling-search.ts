// Cross-campus search, a Hallway extension between sibling campuses (docs/search.md):
//
//   GET /api/hallway/v1/federated_search?q=…&type=accounts|statuses&limit=…&offset=…
//
// signed (HTTP Signatures) by the asking campus's instance actor. A campus answers only a signed
// request from an allowlisted sibling, and only with what every colleague may see (see
// server/services/search/org.ts): {"statuses": [{"uri", "rank"}], "accounts": [{"uri", "rank",
// "exact"}]}. The asking side stores each result through the resolver, as any post or account of
// a sibling, so that people can reply, favourite and follow.
import { signRequest, verifyRequest } from "@fedify/fedify";
import type { SiblingQuery, SiblingResults, SiblingSearcher } from "../server/services/search/siblings.ts";
import { answerSiblingSearch } from "../server/services/search/org.ts";
import type { Allowlist } from "./allowlist.ts";
import type { FederationDeps, HallwayFederation } from "./deps.ts";
import type { SigningIdentity } from "./loaders.ts";
import { INSTANCE_ACTOR } from "./mapping/actor.ts";
import { checkSigner } from "./request-guard.ts";
import type { FederationResolver } from "./resolver.ts";
import { assertOutboundAllowed, RefusedError } from "./wall.ts";

export const SIBLING_SEARCH_PATH = "/api/hallway/v1/federated_search";
const MAX_LIMIT = 40;
const MAX_OFFSET = 10_000;

interface Answer {
  statuses: { uri: string; rank: number }[];
  accounts: { uri: string; rank: number; exact: boolean }[];
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

/** An answer as a sibling sent it, keeping only well-formed entries for that sibling's own URIs. */
function readAnswer(body: unknown, origin: string): Answer {
  const answer: Answer = { statuses: [], accounts: [] };
  if (!body || typeof body !== "object") return answer;
  const ownUri = (value: unknown): value is string => {
    if (typeof value !== "string") return false;
    try {
      return new URL(value).origin === origin;
    } catch {
      return false;
    }
  };
  const list = (value: unknown) => (Array.isArray(value) ? value.slice(0, MAX_LIMIT) : []);
  for (const item of list((body as { statuses?: unknown }).statuses)) {
    if (ownUri(item?.uri) && Number.isFinite(item?.rank)) answer.statuses.push({ uri: item.uri, rank: Number(item.rank) });
  }
  for (const item of list((body as { accounts?: unknown }).accounts)) {
    if (ownUri(item?.uri) && Number.isFinite(item?.rank)) {
      answer.accounts.push({ uri: item.uri, rank: Number(item.rank), exact: item.exact === true });
    }
  }
  return answer;
}

export class SiblingSearch implements SiblingSearcher {
  readonly #deps: FederationDeps;
  readonly #allowlist: Allowlist;
  readonly #federation: () => HallwayFederation;
  readonly #identity: () => Promise<SigningIdentity>;
  readonly #resolver: FederationResolver;
  readonly #userAgent: string;

  constructor(
    deps: FederationDeps,
    allowlist: Allowlist,
    federation: () => HallwayFederation,
    identity: () => Promise<SigningIdentity>,
    resolver: FederationResolver,
    userAgent: string,
  ) {
    this.#deps = deps;
    this.#allowlist = allowlist;
    this.#federation = federation;
    this.#identity = identity;
    this.#resolver = resolver;
    this.#userAgent = userAgent;
  }

  // Asking.

  async search(query: SiblingQuery): Promise<SiblingResults> {
    const budget = this.#deps.app.config.searchBudgetMs;
    const signal = AbortSignal.timeout(budget);
    const results: SiblingResults = { statuses: [], accounts: [] };
    let open = true;
    const work = this.#allowlist.siblings().map(async ({ origin }) => {
      try {
        const answer = await this.#ask(origin, query, signal);
        // Each result is stored here as it resolves; what resolves after the budget stays stored
        // for later searches but misses this one.
        await Promise.all([
          ...answer.statuses.map(async (hit) => {
            const id = await this.#resolver.statusByUri(hit.uri);
            if (id && open) results.statuses.push({ id, rank: hit.rank, exact: false });
          }),
          ...answer.accounts.map(async (hit) => {
            const account = await this.#resolver.accountByUri(hit.uri);
            if (account && !account.suspended_at && open) results.accounts.push({ id: account.id, rank: hit.rank, exact: hit.exact });
          }),
        ]);
      } catch (error) {
        if (!(error instanceof RefusedError) && !signal.aborted) {
          this.#deps.app.log.warn({ origin, err: error }, "a sibling campus could not be searched");
        }
      }
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(work),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, budget);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    open = false;
    return { statuses: [...results.statuses], accounts: [...results.accounts] };
  }

  async #ask(origin: string, query: SiblingQuery, signal: AbortSignal): Promise<Answer> {
    const url = new URL(SIBLING_SEARCH_PATH, origin);
    url.searchParams.set("q", query.q);
    if (query.type) url.searchParams.set("type", query.type);
    url.searchParams.set("limit", String(query.limit));
    url.searchParams.set("offset", String(query.offset));
    assertOutboundAllowed(this.#deps.wall, url, "search");
    const { keyId, privateKey } = await this.#identity();
    const request = await signRequest(
      new Request(url, { headers: { accept: "application/json", "user-agent": this.#userAgent } }),
      privateKey,
      keyId,
    );
    const response = await fetch(request, { redirect: "manual", signal });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`search answered ${response.status}`);
    }
    return readAnswer(await response.json(), origin);
  }

  // Answering.

  /** Answers a sibling's search request; anyone else is refused (and the refusal counted). */
  async serve(request: Request, requester: string): Promise<Response> {
    const { wall } = this.#deps;
    const signer = checkSigner(wall, request.headers, requester);
    if (!signer.ok) {
      wall.refuse(signer.host, "inbound", signer.reason);
      return json(signer.status, { error: signer.status === 401 ? "Request not signed" : "Forbidden" });
    }
    const ctx = this.#federation().createContext(new URL(this.#deps.app.config.origin), undefined);
    const key = await verifyRequest(request, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader }).catch(
      () => null,
    );
    const sibling = this.#allowlist.siblings().find((entry) => key?.ownerId?.href === new URL(`/users/${INSTANCE_ACTOR}`, entry.origin).href);
    if (!key || !sibling) {
      wall.refuse(requester, "inbound", "search not signed by a sibling's instance actor");
      return json(401, { error: "Request not signed" });
    }
    const params = new URL(request.url).searchParams;
    const q = params.get("q") ?? "";
    const type = params.get("type");
    const limit = Number(params.get("limit") ?? 20);
    const offset = Number(params.get("offset") ?? 0);
    if (q.trim() === "" || q.length > 2000) return json(400, { error: "q must be 1 to 2000 characters" });
    if (type !== null && type !== "accounts" && type !== "statuses") return json(400, { error: "type must be accounts or statuses" });
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return json(400, { error: `limit must be 1 to ${MAX_LIMIT}` });
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) return json(400, { error: `offset must be 0 to ${MAX_OFFSET}` });
    const answer = await answerSiblingSearch(this.#deps.app, { q, type: type ?? undefined, limit, offset });
    return json(200, answer);
  }
}
