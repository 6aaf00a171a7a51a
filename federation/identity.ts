import type { HallwayFederation } from "./deps.ts";
import { INSTANCE_ACTOR } from "./mapping/actor.ts";
import type { SigningIdentity } from "./loaders.ts";

/**
 * The instance actor's RSA key, which signs every fetch the campus makes (documents, WebFinger).
 * Loaded once per process; the key never changes.
 */
export function instanceIdentity(federation: () => HallwayFederation, origin: string): () => Promise<SigningIdentity> {
  let identity: Promise<SigningIdentity> | null = null;
  return () => {
    identity ??= (async () => {
      const ctx = federation().createContext(new URL(origin), undefined);
      const pairs = await ctx.getActorKeyPairs(INSTANCE_ACTOR);
      const rsa = pairs.find((pair) => pair.privateKey.algorithm.name === "RSASSA-PKCS1-v1_5");
      if (!rsa) throw new Error("the instance actor has no RSA key");
      return { keyId: rsa.keyId, privateKey: rsa.privateKey };
    })().catch((error) => {
      identity = null;
      throw error;
    });
    return identity;
  };
}
