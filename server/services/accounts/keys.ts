// Key pairs of local actors: RSA-2048 for HTTP Signatures (what every ActivityPub server checks)
// and Ed25519 for Object Integrity Proofs. Made with the platform's WebCrypto, stored as JWKs.
import { webcrypto } from "node:crypto";
import type { Db } from "../../../db/repositories/types.ts";
import type { KeyAlgorithm } from "../../../db/schema.ts";

export interface StoredKeyPair {
  algorithm: KeyAlgorithm;
  publicKey: JsonWebKey;
  privateKey: JsonWebKey;
}

async function generate(algorithm: KeyAlgorithm): Promise<StoredKeyPair> {
  const pair =
    algorithm === "RSASSA-PKCS1-v1_5"
      ? await webcrypto.subtle.generateKey(
          { name: algorithm, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
          true,
          ["sign", "verify"],
        )
      : await webcrypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const { publicKey, privateKey } = pair as CryptoKeyPair;
  return {
    algorithm,
    publicKey: await webcrypto.subtle.exportKey("jwk", publicKey),
    privateKey: await webcrypto.subtle.exportKey("jwk", privateKey),
  };
}

/** Both key pairs an actor needs; generated outside any transaction (RSA takes a moment). */
export async function generateActorKeys(): Promise<StoredKeyPair[]> {
  return Promise.all([generate("RSASSA-PKCS1-v1_5"), generate("Ed25519")]);
}

export async function storeActorKeys(db: Db, accountId: string | null, keys: StoredKeyPair[]): Promise<void> {
  await db
    .insertInto("actor_keys")
    .values(
      keys.map((key) => ({
        account_id: accountId,
        algorithm: key.algorithm,
        public_key: JSON.stringify(key.publicKey),
        private_key: JSON.stringify(key.privateKey),
      })),
    )
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

/**
 * The actor's key pairs, RSA first. Accounts made before keys existed get theirs on first use;
 * when two processes race to do that, the unique index keeps the first.
 */
export async function actorKeys(db: Db, accountId: string | null): Promise<StoredKeyPair[]> {
  const read = () =>
    db
      .selectFrom("actor_keys")
      .select(["algorithm", "public_key", "private_key"])
      .where((eb) => (accountId === null ? eb("account_id", "is", null) : eb("account_id", "=", accountId)))
      .orderBy("algorithm", "desc")
      .execute();
  let rows = await read();
  if (rows.length < 2) {
    await storeActorKeys(db, accountId, await generateActorKeys());
    rows = await read();
  }
  return rows.map((row) => ({ algorithm: row.algorithm, publicKey: row.public_key, privateKey: row.private_key }));
}
