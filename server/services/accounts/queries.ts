import { findAccountByHandle, findAccountById, findAccountsByIds } from "../../../db/repositories/accounts.ts";
import { hasMedia } from "../../../db/repositories/media.ts";
import { selectStatusRows, visibleTo } from "../../../db/repositories/statuses.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import { accountToApi, type ApiAccount, credentialAccountToApi } from "../../serializers/account.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { pinnedStatusRows } from "../statuses/pins.ts";
import { presentStatusRows } from "../statuses/present.ts";
import { normalizeTag } from "../statuses/text.ts";


export async function showAccount(context: AppContext, id: string): Promise<ApiAccount> {
  const account = await findAccountById(context.db, id);
  if (!account) throw notFound();
  return accountToApi(account, context.urls);
}

export async function showAccounts(context: AppContext, ids: string[]): Promise<ApiAccount[]> {
  const byId = new Map((await findAccountsByIds(context.db, ids)).map((account) => [account.id, account]));
  return ids
    .map((id) => byId.get(id))
    .filter((account): account is Account => account !== undefined)
    .map((account) => accountToApi(account, context.urls));
}

/** `acct` is `user`, `user@this-campus` or `user@sibling`; a leading @ is allowed. */
export async function lookupAccount(context: AppContext, acct: string): Promise<ApiAccount> {
  const [username, domain] = acct.replace(/^@/, "").split("@") as [string, string | undefined];
  const local = !domain || domain.toLowerCase() === context.config.domain;
  const account = await findAccountByHandle(context.db, username, local ? null : domain.toLowerCase());
  if (!account) throw notFound();
  return accountToApi(account, context.urls);
}

export async function credentialAccount(context: AppContext, account: Account) {
  const [fresh, user, requests] = await Promise.all([
    findAccountById(context.db, account.id),
    context.db
      .selectFrom("users")
      .select(["role", "default_visibility", "default_sensitive", "default_language", "default_local_only"])
      .where("account_id", "=", account.id)
      .executeTakeFirstOrThrow(),
    context.db
      .selectFrom("follow_requests as r")
      .innerJoin("accounts as a", "a.id", "r.account_id")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .where("r.target_account_id", "=", account.id)
      .where("a.suspended_at", "is", null)
      .executeTakeFirstOrThrow(),
  ]);
  return credentialAccountToApi(fresh ?? account, user, context.urls, Number(requests.count));
}

export interface AccountStatusesFilter {
  pinned?: boolean;
  excludeReplies?: boolean;
  excludeReblogs?: boolean;
  onlyMedia?: boolean;
  tagged?: string;
}

/** An account's posts that the viewer may see, newest first. */
export async function accountStatuses(
  context: AppContext,
  viewerId: string,
  accountId: string,
  filter: AccountStatusesFilter,
  page: PageParams,
  limit: number,
): Promise<{ statuses: ApiStatus[]; cursors: Cursors }> {
  const account = await findAccountById(context.db, accountId);
  if (!account) throw notFound();
  // A suspended account's profile stays, its posts do not (as in Mastodon).
  if (account.suspended_at) return { statuses: [], cursors: null };
  let base = selectStatusRows(context.db).where("s.account_id", "=", accountId).where(visibleTo(viewerId));
  if (filter.onlyMedia) base = base.where(hasMedia());
  if (filter.excludeReplies) {
    base = base.where((eb) =>
      eb.or([eb("s.in_reply_to_id", "is", null), eb("s.in_reply_to_account_id", "=", eb.ref("s.account_id"))]),
    );
  }
  if (filter.excludeReblogs) base = base.where("s.reblog_of_id", "is", null);
  if (filter.tagged) {
    // Apps pass the tag as typed; Mastodon's normalizer drops the leading #.
    const tag = normalizeTag(filter.tagged.replace(/^#/, ""));
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom("statuses_tags as st")
          .innerJoin("tags as t", "t.id", "st.tag_id")
          .select("st.status_id")
          .whereRef("st.status_id", "=", "s.id")
          .where("t.name", "=", tag),
      ),
    );
  }
  if (filter.pinned) {
    // Pinned posts come most recently pinned first, all on one page (there are a handful).
    const rows = await pinnedStatusRows(base, accountId, page, limit);
    return { statuses: await presentStatusRows(context, rows, viewerId, { filterContext: "account" }), cursors: null };
  }
  const { query, finish } = pageWindow(base, "s.id", page, limit);
  const rows = finish(await query.execute());
  return {
    statuses: await presentStatusRows(context, rows, viewerId, { filterContext: "account" }),
    cursors: pageCursors(rows, "id"),
  };
}

/** Followers or followed accounts, paged by the follow's own id (newest follow first). */
export async function followList(
  context: AppContext,
  accountId: string,
  direction: "followers" | "following",
  page: PageParams,
  limit: number,
): Promise<{ accounts: ApiAccount[]; cursors: Cursors }> {
  const account = await findAccountById(context.db, accountId);
  if (!account) throw notFound();
  const [own, other] =
    direction === "followers" ? (["target_account_id", "account_id"] as const) : (["account_id", "target_account_id"] as const);
  const { query, finish } = pageWindow(
    context.db
      .selectFrom("follows as f")
      .innerJoin("accounts as a", "a.id", `f.${other}`)
      .selectAll("a")
      .select("f.id as follow_id")
      .where(`f.${own}`, "=", accountId)
      .where("a.suspended_at", "is", null),
    "f.id",
    page,
    limit,
  );
  const rows = finish(await query.execute());
  return {
    accounts: rows.map(({ follow_id: _id, ...row }) => accountToApi(row, context.urls)),
    cursors: pageCursors(rows, "follow_id"),
  };
}

/** Pending follow requests addressed to the viewer, newest first. */
export async function followRequests(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<{ accounts: ApiAccount[]; cursors: Cursors }> {
  const { query, finish } = pageWindow(
    context.db
      .selectFrom("follow_requests as r")
      .innerJoin("accounts as a", "a.id", "r.account_id")
      .selectAll("a")
      .select("r.id as request_id")
      .where("r.target_account_id", "=", viewerId)
      .where("a.suspended_at", "is", null),
    "r.id",
    page,
    limit,
  );
  const rows = finish(await query.execute());
  return {
    accounts: rows.map(({ request_id: _id, ...row }) => accountToApi(row, context.urls)),
    cursors: pageCursors(rows, "request_id"),
  };
}

export async function preferences(context: AppContext, accountId: string) {
  const user = await context.db
    .selectFrom("users")
    .select(["default_visibility", "default_sensitive", "default_language"])
    .where("account_id", "=", accountId)
    .executeTakeFirstOrThrow();
  return {
    "posting:default:visibility": user.default_visibility,
    "posting:default:sensitive": user.default_sensitive,
    "posting:default:language": user.default_language,
    "posting:default:quote_policy": "nobody",
    "reading:expand:media": "default",
    "reading:expand:spoilers": false,
    "reading:autoplay:gifs": false,
  };
}
