// Actors: a Person per local account, and the instance actor that signs the campus's own
// fetches. Every actor but the instance actor is served only to a signed, allowlisted sibling.
import { importJwk, type RequestContext } from "@fedify/fedify";
import { findAccountByHandle } from "../../db/repositories/accounts.ts";
import type { Account } from "../../db/schema.ts";
import { accountToApi } from "../../server/serializers/account.ts";
import { actorKeys } from "../../server/services/accounts/keys.ts";
import type { FederationDeps, HallwayFederation } from "../deps.ts";
import { accountToPerson, INSTANCE_ACTOR, instanceActor } from "../mapping/actor.ts";
import type { Wall } from "../wall.ts";

export async function findLocalAccount(deps: FederationDeps, username: string): Promise<Account | null> {
  const account = await findAccountByHandle(deps.app.db, username, null);
  return account && !account.suspended_at ? account : null;
}

/**
 * Whether the request carries a valid signature by a key of an allowlisted sibling (or ours). Fedify
 * fetches the key through our document loader, which refuses hosts outside the allowlist.
 */
export async function signedBySibling(ctx: RequestContext<void>, wall: Wall): Promise<boolean> {
  const key = await ctx.getSignedKey().catch(() => null);
  if (!key?.id) return false;
  return wall.allowsUrl(key.id);
}

export function registerActors(federation: HallwayFederation, deps: FederationDeps): void {
  const { app, wall } = deps;
  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) return instanceActor(ctx, app.config.name);
      const account = await findLocalAccount(deps, identifier);
      if (!account || account.username !== identifier) return null;
      const api = accountToApi(account, app.urls);
      return accountToPerson(ctx, account, {
        avatar: account.avatar_path ? api.avatar : null,
        header: account.header_path ? api.header : null,
      });
    })
    .mapHandle(async (_ctx, username) => (await findLocalAccount(deps, username))?.username ?? null)
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      // Suspended accounts keep their keys: a deleted account still signs its own Delete.
      const accountId =
        identifier === INSTANCE_ACTOR ? null : (await findAccountByHandle(app.db, identifier, null))?.id;
      if (accountId === undefined) return [];
      const keys = await actorKeys(app.db, accountId);
      return Promise.all(
        keys.map(async (key) => ({
          publicKey: await importJwk(key.publicKey, "public"),
          privateKey: await importJwk(key.privateKey, "private"),
        })),
      );
    })
    // The instance actor stays readable unsigned: siblings fetch it to check our signatures, and
    // requiring a signature there would have two campuses fetching each other's keys forever.
    .authorize(async (ctx, identifier) => identifier === INSTANCE_ACTOR || (await signedBySibling(ctx, wall)));
}
