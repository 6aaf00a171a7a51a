// The viewer's filters: v2 filters with keywords and statuses, and the v1 API, where each filter
// is one keyword of a v2 filter (as Mastodon has mapped them since 4.0). Every change is
// announced with `filters.changed`, so that the viewer's streams tell its apps.
import type { Transaction } from "kysely";
import { bigintArray, textArray } from "../../../db/sql-helpers.ts";
import type { Database, FilterAction, FilterContext } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import {
  type ApiFilter,
  type ApiFilterKeyword,
  type ApiFilterStatus,
  type ApiV1Filter,
  type FilterRecord,
  filterKeywordToApi,
  filterStatusToApi,
  filterToApi,
  type KeywordRecord,
  v1FilterToApi,
} from "../../serializers/filter.ts";
import { findVisibleStatusIds } from "../statuses/visible.ts";

export const FILTER_CONTEXTS: readonly FilterContext[] = ["home", "notifications", "public", "thread", "account"];

export interface KeywordAttributes {
  id?: string;
  keyword?: string;
  whole_word?: boolean;
  _destroy?: boolean;
}

export interface FilterInput {
  title?: string;
  context?: string[];
  action?: FilterAction;
  /** Seconds from now; null: never expires; undefined: unchanged. */
  expiresIn?: number | null;
  keywords?: KeywordAttributes[];
}

const FILTER_COLUMNS = ["id", "title", "context", "action", "expires_at"] as const;

function changed(context: AppContext, accountId: string): void {
  context.events.emit("filters.changed", { accountId });
}

function expiresAt(expiresIn: number | null): Date | null {
  return expiresIn === null ? null : new Date(Date.now() + expiresIn * 1000);
}

function checkTitle(title: string | undefined): string {
  const trimmed = title?.trim() ?? "";
  if (trimmed === "") throw unprocessable("Title can't be blank");
  return trimmed;
}

/** At least one known context, each once, in Mastodon's order of mention. */
function checkContext(context: string[] | undefined): FilterContext[] {
  if (!context || context.length === 0) {
    throw unprocessable("Context can't be blank, Context None or invalid context supplied");
  }
  if (context.some((value) => !FILTER_CONTEXTS.includes(value as FilterContext))) {
    throw unprocessable("Context None or invalid context supplied");
  }
  return [...new Set(context as FilterContext[])];
}

function checkKeyword(keyword: string | undefined, label = "Keyword"): string {
  const trimmed = keyword?.trim() ?? "";
  if (trimmed === "") throw unprocessable(`${label} can't be blank`);
  return trimmed;
}

async function ownFilter(db: AppContext["db"] | Transaction<Database>, accountId: string, id: string): Promise<FilterRecord> {
  const filter = await db
    .selectFrom("filters")
    .select(FILTER_COLUMNS)
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (!filter) throw notFound();
  return filter;
}

/** Filters with their keywords and statuses, in the order of `filters`. */
async function withRules(context: AppContext, filters: FilterRecord[]): Promise<ApiFilter[]> {
  if (filters.length === 0) return [];
  const ids = bigintArray(filters.map((filter) => filter.id));
  const [keywords, statuses] = await Promise.all([
    context.db
      .selectFrom("filter_keywords")
      .select(["id", "filter_id", "keyword", "whole_word"])
      .where("filter_id", "=", (eb) => eb.fn.any(ids))
      .orderBy("id")
      .execute(),
    context.db
      .selectFrom("filter_statuses")
      .select(["id", "filter_id", "status_id"])
      .where("filter_id", "=", (eb) => eb.fn.any(ids))
      .orderBy("id")
      .execute(),
  ]);
  return filters.map((filter) =>
    filterToApi(filter, {
      keywords: keywords.filter((keyword) => keyword.filter_id === filter.id),
      statuses: statuses.filter((status) => status.filter_id === filter.id),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// v2 filters

export async function listFilters(context: AppContext, accountId: string): Promise<ApiFilter[]> {
  const filters = await context.db
    .selectFrom("filters")
    .select(FILTER_COLUMNS)
    .where("account_id", "=", accountId)
    .orderBy("id")
    .execute();
  return withRules(context, filters);
}

export async function showFilter(context: AppContext, accountId: string, id: string): Promise<ApiFilter> {
  const [filter] = await withRules(context, [await ownFilter(context.db, accountId, id)]);
  return filter!;
}

/** Creates a filter with its keywords (keyword attributes with an id name no keyword yet: 404). */
export async function createFilter(context: AppContext, accountId: string, input: FilterInput): Promise<ApiFilter> {
  const title = checkTitle(input.title);
  const filterContext = checkContext(input.context);
  const keywords = (input.keywords ?? []).filter((attributes) => !attributes._destroy);
  if (keywords.some((attributes) => attributes.id !== undefined)) throw notFound();
  const keywordValues = keywords.map((attributes) => ({
    keyword: checkKeyword(attributes.keyword, "Keywords keyword"),
    whole_word: attributes.whole_word ?? true,
  }));
  const id = await context.db.transaction().execute(async (trx) => {
    const filter = await trx
      .insertInto("filters")
      .values({
        account_id: accountId,
        title,
        context: textArray(filterContext) as never,
        action: input.action ?? "warn",
        expires_at: expiresAt(input.expiresIn ?? null),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (keywordValues.length > 0) {
      await trx
        .insertInto("filter_keywords")
        .values(keywordValues.map((values) => ({ ...values, filter_id: filter.id })))
        .execute();
    }
    return filter.id;
  });
  changed(context, accountId);
  return showFilter(context, accountId, id);
}

/**
 * Changes what is given. Keyword attributes with an id change (or with `_destroy`, remove) that
 * keyword of this filter (404 for any other id); without an id they add one.
 */
export async function updateFilter(
  context: AppContext,
  accountId: string,
  id: string,
  input: FilterInput,
): Promise<ApiFilter> {
  await context.db.transaction().execute(async (trx) => {
    await ownFilter(trx, accountId, id);
    const set: { title?: string; context?: never; action?: FilterAction; expires_at?: Date | null; updated_at: Date } = {
      updated_at: new Date(),
    };
    if (input.title !== undefined) set.title = checkTitle(input.title);
    if (input.context !== undefined) set.context = textArray(checkContext(input.context)) as never;
    if (input.action !== undefined) set.action = input.action;
    if (input.expiresIn !== undefined) set.expires_at = expiresAt(input.expiresIn);
    await trx.updateTable("filters").set(set).where("id", "=", id).execute();
    for (const attributes of input.keywords ?? []) {
      if (attributes.id === undefined) {
        if (attributes._destroy) continue;
        await trx
          .insertInto("filter_keywords")
          .values({
            filter_id: id,
            keyword: checkKeyword(attributes.keyword, "Keywords keyword"),
            whole_word: attributes.whole_word ?? true,
          })
          .execute();
        continue;
      }
      const existing = await trx
        .selectFrom("filter_keywords")
        .select("id")
        .where("id", "=", attributes.id)
        .where("filter_id", "=", id)
        .executeTakeFirst();
      if (!existing) throw notFound();
      if (attributes._destroy) {
        await trx.deleteFrom("filter_keywords").where("id", "=", attributes.id).execute();
        continue;
      }
      const values: { keyword?: string; whole_word?: boolean } = {};
      if (attributes.keyword !== undefined) values.keyword = checkKeyword(attributes.keyword, "Keywords keyword");
      if (attributes.whole_word !== undefined) values.whole_word = attributes.whole_word;
      if (Object.keys(values).length > 0) {
        await trx.updateTable("filter_keywords").set(values).where("id", "=", attributes.id).execute();
      }
    }
  });
  changed(context, accountId);
  return showFilter(context, accountId, id);
}

export async function deleteFilter(context: AppContext, accountId: string, id: string): Promise<void> {
  const result = await context.db
    .deleteFrom("filters")
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound();
  changed(context, accountId);
}

// ---------------------------------------------------------------------------------------------
// Keywords of a filter

/** A keyword of one of the account's filters, or 404. */
async function ownKeyword(context: AppContext, accountId: string, id: string) {
  const keyword = await context.db
    .selectFrom("filter_keywords as k")
    .innerJoin("filters as f", "f.id", "k.filter_id")
    .select(["k.id", "k.keyword", "k.whole_word", "k.filter_id"])
    .where("k.id", "=", id)
    .where("f.account_id", "=", accountId)
    .executeTakeFirst();
  if (!keyword) throw notFound();
  return keyword;
}

export async function listKeywords(context: AppContext, accountId: string, filterId: string): Promise<ApiFilterKeyword[]> {
  await ownFilter(context.db, accountId, filterId);
  const keywords = await context.db
    .selectFrom("filter_keywords")
    .select(["id", "keyword", "whole_word"])
    .where("filter_id", "=", filterId)
    .orderBy("id")
    .execute();
  return keywords.map(filterKeywordToApi);
}

export async function addKeyword(
  context: AppContext,
  accountId: string,
  filterId: string,
  input: { keyword?: string; whole_word?: boolean },
): Promise<ApiFilterKeyword> {
  await ownFilter(context.db, accountId, filterId);
  const keyword = await context.db
    .insertInto("filter_keywords")
    .values({ filter_id: filterId, keyword: checkKeyword(input.keyword), whole_word: input.whole_word ?? true })
    .returning(["id", "keyword", "whole_word"])
    .executeTakeFirstOrThrow();
  changed(context, accountId);
  return filterKeywordToApi(keyword);
}

export async function showKeyword(context: AppContext, accountId: string, id: string): Promise<ApiFilterKeyword> {
  return filterKeywordToApi(await ownKeyword(context, accountId, id));
}

export async function updateKeyword(
  context: AppContext,
  accountId: string,
  id: string,
  input: { keyword?: string; whole_word?: boolean },
): Promise<ApiFilterKeyword> {
  await ownKeyword(context, accountId, id);
  const values: { keyword?: string; whole_word?: boolean } = {};
  if (input.keyword !== undefined) values.keyword = checkKeyword(input.keyword);
  if (input.whole_word !== undefined) values.whole_word = input.whole_word;
  if (Object.keys(values).length > 0) {
    await context.db.updateTable("filter_keywords").set(values).where("id", "=", id).execute();
    changed(context, accountId);
  }
  return showKeyword(context, accountId, id);
}

export async function deleteKeyword(context: AppContext, accountId: string, id: string): Promise<void> {
  await ownKeyword(context, accountId, id);
  await context.db.deleteFrom("filter_keywords").where("id", "=", id).execute();
  changed(context, accountId);
}

// ---------------------------------------------------------------------------------------------
// Statuses of a filter

async function ownFilterStatus(context: AppContext, accountId: string, id: string): Promise<ApiFilterStatus> {
  const status = await context.db
    .selectFrom("filter_statuses as fs")
    .innerJoin("filters as f", "f.id", "fs.filter_id")
    .select(["fs.id", "fs.status_id"])
    .where("fs.id", "=", id)
    .where("f.account_id", "=", accountId)
    .executeTakeFirst();
  if (!status) throw notFound();
  return filterStatusToApi(status);
}

export async function listFilterStatuses(
  context: AppContext,
  accountId: string,
  filterId: string,
): Promise<ApiFilterStatus[]> {
  await ownFilter(context.db, accountId, filterId);
  const statuses = await context.db
    .selectFrom("filter_statuses")
    .select(["id", "status_id"])
    .where("filter_id", "=", filterId)
    .orderBy("id")
    .execute();
  return statuses.map(filterStatusToApi);
}

/** Adds a post the account can see to a filter (422 for one it cannot, or one already there). */
export async function addFilterStatus(
  context: AppContext,
  accountId: string,
  filterId: string,
  statusId: string | undefined,
): Promise<ApiFilterStatus> {
  await ownFilter(context.db, accountId, filterId);
  if (!statusId) throw unprocessable("Status can't be blank");
  const [visible] = await findVisibleStatusIds(context, [statusId], accountId);
  if (!visible) throw unprocessable("Status must exist");
  const status = await context.db
    .insertInto("filter_statuses")
    .values({ filter_id: filterId, status_id: statusId })
    .onConflict((conflict) => conflict.columns(["filter_id", "status_id"]).doNothing())
    .returning(["id", "status_id"])
    .executeTakeFirst();
  if (!status) throw unprocessable("Status has already been taken");
  changed(context, accountId);
  return filterStatusToApi(status);
}

export async function showFilterStatus(context: AppContext, accountId: string, id: string): Promise<ApiFilterStatus> {
  return ownFilterStatus(context, accountId, id);
}

export async function deleteFilterStatus(context: AppContext, accountId: string, id: string): Promise<void> {
  await ownFilterStatus(context, accountId, id);
  await context.db.deleteFrom("filter_statuses").where("id", "=", id).execute();
  changed(context, accountId);
}

// ---------------------------------------------------------------------------------------------
// v1 filters: one keyword each

export interface V1FilterInput {
  phrase?: string;
  context?: string[];
  irreversible?: boolean;
  wholeWord?: boolean;
  expiresIn?: number | null;
}

async function v1Filters(context: AppContext, accountId: string, keywordId?: string): Promise<ApiV1Filter[]> {
  let query = context.db
    .selectFrom("filter_keywords as k")
    .innerJoin("filters as f", "f.id", "k.filter_id")
    .select([
      "f.id as filter_id",
      "f.title",
      "f.context",
      "f.action",
      "f.expires_at",
      "k.id",
      "k.keyword",
      "k.whole_word",
    ])
    .where("f.account_id", "=", accountId)
    .orderBy("k.id");
  if (keywordId) query = query.where("k.id", "=", keywordId);
  const rows = await query.execute();
  return rows.map((row) => {
    const filter: FilterRecord = {
      id: row.filter_id,
      title: row.title,
      context: row.context,
      action: row.action,
      expires_at: row.expires_at,
    };
    const keyword: KeywordRecord = { id: row.id, keyword: row.keyword, whole_word: row.whole_word };
    return v1FilterToApi(filter, keyword);
  });
}

export async function listV1Filters(context: AppContext, accountId: string): Promise<ApiV1Filter[]> {
  return v1Filters(context, accountId);
}

export async function showV1Filter(context: AppContext, accountId: string, id: string): Promise<ApiV1Filter> {
  const [filter] = await v1Filters(context, accountId, id);
  if (!filter) throw notFound();
  return filter;
}

/** A filter titled with the phrase, holding the phrase as its one keyword; irreversible is `hide`. */
export async function createV1Filter(context: AppContext, accountId: string, input: V1FilterInput): Promise<ApiV1Filter> {
  const phrase = checkKeyword(input.phrase, "Phrase");
  const filterContext = checkContext(input.context);
  const keywordId = await context.db.transaction().execute(async (trx) => {
    const filter = await trx
      .insertInto("filters")
      .values({
        account_id: accountId,
        title: phrase,
        context: textArray(filterContext) as never,
        action: input.irreversible ? "hide" : "warn",
        expires_at: expiresAt(input.expiresIn ?? null),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const keyword = await trx
      .insertInto("filter_keywords")
      .values({ filter_id: filter.id, keyword: phrase, whole_word: input.wholeWord ?? false })
      .returning("id")
      .executeTakeFirstOrThrow();
    return keyword.id;
  });
  changed(context, accountId);
  return showV1Filter(context, accountId, keywordId);
}

/**
 * Changes the keyword (phrase, whole_word) and its filter (context, irreversible, expiry). The
 * filter's own settings can only change while it has this one keyword (422 otherwise), as in
 * Mastodon: they would change the other keywords' filtering too.
 */
export async function updateV1Filter(
  context: AppContext,
  accountId: string,
  id: string,
  input: V1FilterInput,
): Promise<ApiV1Filter> {
  const keyword = await ownKeyword(context, accountId, id);
  await context.db.transaction().execute(async (trx) => {
    const filter = await ownFilter(trx, accountId, keyword.filter_id);
    const keywordValues: { keyword?: string; whole_word?: boolean } = {};
    if (input.phrase !== undefined) keywordValues.keyword = checkKeyword(input.phrase, "Phrase");
    if (input.wholeWord !== undefined) keywordValues.whole_word = input.wholeWord;
    if (Object.keys(keywordValues).length > 0) {
      await trx.updateTable("filter_keywords").set(keywordValues).where("id", "=", id).execute();
    }
    const filterValues: { context?: never; action?: FilterAction; expires_at?: Date | null } = {};
    if (input.context !== undefined) {
      const next = checkContext(input.context);
      if (next.join() !== filter.context.join()) filterValues.context = textArray(next) as never;
    }
    if (input.irreversible !== undefined) {
      const action = input.irreversible ? "hide" : filter.action === "hide" ? "warn" : filter.action;
      if (action !== filter.action) filterValues.action = action;
    }
    if (input.expiresIn !== undefined) filterValues.expires_at = expiresAt(input.expiresIn);
    if (Object.keys(filterValues).length === 0) return;
    const { count } = await trx
      .selectFrom("filter_keywords")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .where("filter_id", "=", filter.id)
      .executeTakeFirstOrThrow();
    if (Number(count) > 1) {
      throw unprocessable("This filter has several keywords: change its context, action or expiry with the v2 filters API");
    }
    await trx
      .updateTable("filters")
      .set({ ...filterValues, updated_at: new Date() })
      .where("id", "=", filter.id)
      .execute();
  });
  changed(context, accountId);
  return showV1Filter(context, accountId, id);
}

/** Removes the keyword only; its filter stays (delete that with the v2 API), as in Mastodon. */
export async function deleteV1Filter(context: AppContext, accountId: string, id: string): Promise<void> {
  await ownKeyword(context, accountId, id);
  await context.db.deleteFrom("filter_keywords").where("id", "=", id).execute();
  changed(context, accountId);
}
