// Filter rows → Mastodon's Filter, FilterKeyword, FilterStatus, FilterResult and V1::Filter.
import type { FilterAction, FilterContext } from "../../db/schema.ts";

export interface FilterRecord {
  id: string;
  title: string;
  context: FilterContext[];
  action: FilterAction;
  expires_at: Date | null;
}

export interface KeywordRecord {
  id: string;
  keyword: string;
  whole_word: boolean;
}

export interface FilterStatusRecord {
  id: string;
  status_id: string;
}

export interface ApiFilterKeyword {
  id: string;
  keyword: string;
  whole_word: boolean;
}

export interface ApiFilterStatus {
  id: string;
  status_id: string;
}

export interface ApiFilter {
  id: string;
  title: string;
  context: FilterContext[];
  expires_at: string | null;
  filter_action: FilterAction;
  /** Listed by the filters API; left out inside a FilterResult, as Mastodon does. */
  keywords?: ApiFilterKeyword[];
  statuses?: ApiFilterStatus[];
}

export interface ApiFilterResult {
  filter: ApiFilter;
  keyword_matches: string[] | null;
  status_matches: string[] | null;
}

export interface ApiV1Filter {
  id: string;
  phrase: string;
  context: FilterContext[];
  whole_word: boolean;
  expires_at: string | null;
  irreversible: boolean;
}

export const filterKeywordToApi = (keyword: KeywordRecord): ApiFilterKeyword => ({
  id: keyword.id,
  keyword: keyword.keyword,
  whole_word: keyword.whole_word,
});

export const filterStatusToApi = (status: FilterStatusRecord): ApiFilterStatus => ({
  id: status.id,
  status_id: status.status_id,
});

/** A filter; with `rules`, its keywords and statuses too (as the filters API lists them). */
export function filterToApi(
  filter: FilterRecord,
  rules?: { keywords: readonly KeywordRecord[]; statuses: readonly FilterStatusRecord[] },
): ApiFilter {
  return {
    id: filter.id,
    title: filter.title,
    context: filter.context,
    expires_at: filter.expires_at ? filter.expires_at.toISOString() : null,
    filter_action: filter.action,
    ...(rules
      ? { keywords: rules.keywords.map(filterKeywordToApi), statuses: rules.statuses.map(filterStatusToApi) }
      : {}),
  };
}

/** One keyword of a filter as a v1 filter: the keyword is the phrase, `hide` is irreversible. */
export function v1FilterToApi(filter: FilterRecord, keyword: KeywordRecord): ApiV1Filter {
  return {
    id: keyword.id,
    phrase: keyword.keyword,
    context: filter.context,
    whole_word: keyword.whole_word,
    expires_at: filter.expires_at ? filter.expires_at.toISOString() : null,
    irreversible: filter.action === "hide",
  };
}
