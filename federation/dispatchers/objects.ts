// Notes, served to signed siblings as Mastodon serves them with authorized fetch: public and
// unlisted posts to any allowlisted sibling, followers-only posts to the author's followers,
// direct posts to the people mentioned; local-only posts to no one. A post with a poll is a
// Question at the same address, so the dispatcher is registered for objects in general.
import type { RequestContext } from "@fedify/fedify";
import { Object as APObject } from "@fedify/vocab";
import type { FederationDeps, HallwayFederation } from "../deps.ts";
import { statusToObject } from "../mapping/note.ts";
import { loadOutgoingStatus } from "../outgoing.ts";
import { signedBySibling } from "./actors.ts";

async function signerAccountId(deps: FederationDeps, ctx: RequestContext<void>): Promise<string | null> {
  const owner = await ctx.getSignedKeyOwner().catch(() => null);
  if (!owner?.id) return null;
  const account = await deps.app.db.selectFrom("accounts").select("id").where("uri", "=", owner.id.href).executeTakeFirst();
  return account?.id ?? null;
}

export function registerObjects(federation: HallwayFederation, deps: FederationDeps): void {
  const { db } = deps.app;
  federation
    .setObjectDispatcher(APObject, "/users/{identifier}/statuses/{id}", async (ctx, values) => {
      if (!/^\d{1,19}$/.test(values.id)) return null;
      const outgoing = await loadOutgoingStatus(deps, values.id);
      if (!outgoing) return null;
      const { status } = outgoing;
      if (!status.local || status.local_only || status.reblog_of_id || !outgoing.authorUri.endsWith(`/users/${values.identifier}`)) {
        return null;
      }
      if (status.visibility === "private" || status.visibility === "direct") {
        const viewer = await signerAccountId(deps, ctx);
        if (!viewer) return null;
        const allowed =
          status.visibility === "private"
            ? await db
                .selectFrom("follows")
                .select("id")
                .where("account_id", "=", viewer)
                .where("target_account_id", "=", status.account_id)
                .executeTakeFirst()
            : await db
                .selectFrom("mentions")
                .select("status_id")
                .where("status_id", "=", status.id)
                .where("account_id", "=", viewer)
                .executeTakeFirst();
        if (!allowed) return null;
      }
      return statusToObject(outgoing);
    })
    .authorize(async (ctx) => signedBySibling(ctx, deps.wall));
}
