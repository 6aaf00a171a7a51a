// Hashtags as Mastodon's Tag and FeaturedTag entities.
import type { Account, Tag } from "../../db/schema.ts";
import type { Urls } from "../urls.ts";

/** One day of a tag's use: midnight (UTC) as a UNIX timestamp, posts and people, as strings. */
export interface ApiTagHistoryDay {
  day: string;
  uses: string;
  accounts: string;
}

export interface ApiTag {
  id: string;
  name: string;
  url: string;
  history: ApiTagHistoryDay[];
  following?: boolean;
  featuring?: boolean;
}

export interface ApiFeaturedTag {
  id: string;
  name: string;
  url: string;
  statuses_count: string;
  last_status_at: string | null;
}

export type TagLike = Pick<Tag, "id" | "name" | "display_name">;

export function tagToApi(
  tag: TagLike,
  urls: Urls,
  facts: { history: ApiTagHistoryDay[]; following?: boolean; featuring?: boolean },
): ApiTag {
  return {
    id: tag.id,
    name: tag.display_name,
    url: urls.tag(tag.name),
    history: facts.history,
    ...(facts.following === undefined ? {} : { following: facts.following }),
    ...(facts.featuring === undefined ? {} : { featuring: facts.featuring }),
  };
}

export function featuredTagToApi(
  featured: { id: string; tag: Pick<Tag, "name" | "display_name"> },
  account: Pick<Account, "url">,
  stats: { count: number; lastStatusAt: Date | null },
): ApiFeaturedTag {
  return {
    id: featured.id,
    name: featured.tag.display_name,
    url: `${account.url}/tagged/${encodeURIComponent(featured.tag.name)}`,
    statuses_count: String(stats.count),
    // Mastodon gives the day only.
    last_status_at: stats.lastStatusAt ? stats.lastStatusAt.toISOString().slice(0, 10) : null,
  };
}
