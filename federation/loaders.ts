// How this campus fetches ActivityPub documents: only from allowlisted siblings, always signed
// (siblings serve nothing to unsigned requests except instance actors), never following a
// redirect out of the allowlist, and JSON-LD contexts only from the preloaded set.
import { kvCache, type KvStore, signRequest } from "@fedify/fedify";
import {
  createActivityPubRequest,
  type DocumentLoader,
  FetchError,
  getRemoteDocument,
  preloadedContexts,
  type RemoteDocument,
} from "@fedify/vocab-runtime";
import { assertOutboundAllowed, type Wall } from "./wall.ts";

const MAX_REDIRECTS = 3;

export interface SigningIdentity {
  keyId: URL;
  privateKey: CryptoKey;
}

export function preloadedOnly(url: string): RemoteDocument | null {
  return url in preloadedContexts
    ? { contextUrl: null, document: preloadedContexts[url], documentUrl: url }
    : null;
}

/** A document loader that signs with `identity` (resolved lazily: keys live in the database). */
export function signedLoader(
  wall: Wall,
  identity: () => Promise<SigningIdentity>,
  userAgent: string,
): DocumentLoader {
  const load = async (url: string, options?: { signal?: AbortSignal }): Promise<RemoteDocument> => {
    const preloaded = preloadedOnly(url);
    if (preloaded) return preloaded;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      assertOutboundAllowed(wall, current, hop === 0 ? "document fetch" : "redirect");
      const { keyId, privateKey } = await identity();
      const request = await signRequest(createActivityPubRequest(current, { userAgent }), privateKey, keyId);
      const response = await fetch(request, { redirect: "manual", signal: options?.signal });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current).href;
        continue;
      }
      return getRemoteDocument(current, response, load);
    }
    throw new FetchError(url, `more than ${MAX_REDIRECTS} redirects`);
  };
  return load;
}

/** JSON-LD contexts come from Fedify's preloaded set; nothing is fetched for them. */
export const contextLoader: DocumentLoader = async (url) => {
  const preloaded = preloadedOnly(url);
  if (!preloaded) throw new FetchError(url, "JSON-LD contexts outside the preloaded set are not fetched");
  return preloaded;
};

export function cachedLoader(loader: DocumentLoader, kv: KvStore): DocumentLoader {
  return kvCache({ loader, kv, prefix: ["_fedify", "remoteDocument"] });
}
