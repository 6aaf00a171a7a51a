// The wall at the door, checked before Fedify sees a request: who signed it, and whether every
// host it involves is an allowlisted sibling. Fedify then verifies the signature itself.
// Checking first means an outsider learns nothing (Fedify would answer 404 for unknown accounts
// and 401 for known ones) and causes no fetch of its key.
import type { Wall } from "./wall.ts";

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string; host: string };

/** The keyId of a draft-cavage `Signature` or an RFC 9421 `Signature-Input` header. */
export function signatureKeyId(headers: Headers): string | null {
  const cavage = headers.get("signature");
  if (cavage) {
    const match = /keyId="([^"]+)"/i.exec(cavage);
    if (match) return match[1]!;
  }
  const rfc9421 = headers.get("signature-input");
  if (rfc9421) {
    const match = /keyid="([^"]+)"/i.exec(rfc9421);
    if (match) return match[1]!;
  }
  return null;
}

function hostOfUrl(value: string): string | null {
  try {
    return new URL(value).host;
  } catch {
    return null;
  }
}

/** A request must be signed by a key of an allowlisted sibling (or of this campus). */
export function checkSigner(wall: Wall, headers: Headers, requester: string): GuardVerdict {
  const keyId = signatureKeyId(headers);
  if (!keyId) return { ok: false, status: 401, reason: "unsigned request", host: requester };
  const host = hostOfUrl(keyId);
  if (!host || !wall.allowsUrl(keyId)) {
    return { ok: false, status: 403, reason: "signed by a key outside the allowlist", host: host ?? requester };
  }
  return { ok: true };
}

// Vocabulary IRIs that appear as values without naming any server of the network.
const VOCABULARY = /^https?:\/\/(www\.w3\.org|w3id\.org|joinmastodon\.org|schema\.org|purl\.org|ns\.gotosocial\.org|gotosocial\.org|misskey-hub\.net|litepub\.social|docs\.joinmastodon\.org|fedibird\.com\/ns|ostatus\.org)([/#]|$)/i;
// Properties whose values are text (HTML, names), even when a value happens to be a bare URL.
const TEXT_PROPERTIES = new Set(["content", "contentMap", "summary", "summaryMap", "name", "nameMap", "value", "source", "mediaType", "@context"]);

/** Every IRI in an activity document (ids, actors, objects, addressees, links, attachments). */
export function collectIris(document: unknown, into: Set<string> = new Set(), key?: string): Set<string> {
  if (key && TEXT_PROPERTIES.has(key)) return into;
  if (typeof document === "string") {
    if (/^https?:\/\//i.test(document) && !VOCABULARY.test(document)) into.add(document);
  } else if (Array.isArray(document)) {
    for (const item of document) collectIris(item, into, key);
  } else if (document && typeof document === "object") {
    for (const [property, value] of Object.entries(document)) collectIris(value, into, property);
  }
  return into;
}

/**
 * An inbox POST: signed by an allowlisted key, and the actor, every object and every IRI inside
 * on allowlisted hosts. One outsider IRI anywhere refuses the whole activity.
 */
export function checkActivity(wall: Wall, headers: Headers, body: unknown, requester: string): GuardVerdict {
  const signer = checkSigner(wall, headers, requester);
  if (!signer.ok) return signer;
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, status: 403, reason: "not an activity", host: requester };
  }
  for (const iri of collectIris(body)) {
    if (!wall.allowsUrl(iri)) {
      return { ok: false, status: 403, reason: "activity names a host outside the allowlist", host: hostOfUrl(iri) ?? requester };
    }
  }
  return { ok: true };
}
