// Campus announcements as Mastodon's Announcement entity.
import type { Selectable } from "kysely";
import type { Account, AnnouncementsTable } from "../../db/schema.ts";
import type { Urls } from "../urls.ts";
import { acctOf } from "./account.ts";

export interface ApiReaction {
  name: string;
  count: number;
  me: boolean;
  url?: string;
  static_url?: string;
}

export interface ApiAnnouncement {
  id: string;
  content: string;
  starts_at: string | null;
  ends_at: string | null;
  all_day: boolean;
  published_at: string;
  updated_at: string;
  read: boolean;
  mentions: { id: string; username: string; url: string; acct: string }[];
  statuses: { id: string; url: string }[];
  tags: { name: string; url: string }[];
  emojis: never[];
  reactions: ApiReaction[];
}

export interface AnnouncementFacts {
  read: boolean;
  mentions: Account[];
  statuses: { id: string; url: string }[];
  reactions: ApiReaction[];
}

export function announcementToApi(
  announcement: Selectable<AnnouncementsTable>,
  facts: AnnouncementFacts,
  urls: Urls,
): ApiAnnouncement {
  return {
    id: announcement.id,
    content: announcement.content,
    starts_at: announcement.starts_at?.toISOString() ?? null,
    ends_at: announcement.ends_at?.toISOString() ?? null,
    all_day: announcement.all_day,
    published_at: announcement.published_at.toISOString(),
    updated_at: announcement.updated_at.toISOString(),
    read: facts.read,
    mentions: facts.mentions.map((account) => ({
      id: account.id,
      username: account.username,
      url: account.url,
      acct: acctOf(account),
    })),
    statuses: facts.statuses,
    tags: announcement.tag_names.map((name) => ({ name, url: urls.tag(name) })),
    emojis: [],
    reactions: facts.reactions,
  };
}
