// What /api/v1/instance, /api/v2/instance and NodeInfo report about this campus.
import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import { accountToApi } from "../../serializers/account.ts";
import { DESCRIPTION_LIMIT } from "../media/attachments.ts";
import { IMAGE_MATRIX_LIMIT } from "../media/processing.ts";
import { SUPPORTED_MIME_TYPES } from "../media/types.ts";
import { VERSION_STRING } from "../../version.ts";

export interface InstanceStats {
  userCount: number;
  statusCount: number;
  domainCount: number;
  activeMonth: number;
  activeHalfyear: number;
}

const STATS_TTL_MS = 60_000;
// Per running instance (tests run several in one process).
const statsCache = new WeakMap<AppContext, { at: number; stats: InstanceStats }>();

/** Counts change slowly and cost a scan; they are recomputed at most once a minute. */
export async function instanceStats(context: AppContext): Promise<InstanceStats> {
  const cached = statsCache.get(context);
  if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached.stats;
  const row = await sql<{
    users: string;
    statuses: string;
    domains: string;
    active_month: string;
    active_halfyear: string;
  }>`
    SELECT
      (SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.suspended_at IS NULL) AS users,
      (SELECT count(*) FROM statuses WHERE local) AS statuses,
      (SELECT count(DISTINCT domain) FROM accounts WHERE domain IS NOT NULL) AS domains,
      (SELECT count(*) FROM users WHERE last_sign_in_at > now() - interval '30 days') AS active_month,
      (SELECT count(*) FROM users WHERE last_sign_in_at > now() - interval '180 days') AS active_halfyear
  `.execute(context.db);
  const values = row.rows[0]!;
  const stats = {
    userCount: Number(values.users),
    statusCount: Number(values.statuses),
    domainCount: Number(values.domains),
    activeMonth: Number(values.active_month),
    activeHalfyear: Number(values.active_halfyear),
  };
  statsCache.set(context, { at: Date.now(), stats });
  return stats;
}

function limits(context: AppContext) {
  const { config } = context;
  return {
    accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
    statuses: {
      max_characters: config.maxCharacters,
      max_media_attachments: config.maxMediaAttachments,
      characters_reserved_per_url: 23,
    },
    media_attachments: {
      supported_mime_types: SUPPORTED_MIME_TYPES,
      image_size_limit: config.maxImageBytes,
      image_matrix_limit: IMAGE_MATRIX_LIMIT,
      video_size_limit: config.maxVideoBytes,
      video_frame_rate_limit: 60,
      video_matrix_limit: 8_294_400,
      description_limit: DESCRIPTION_LIMIT,
    },
    polls: {
      max_options: config.maxPollOptions,
      max_characters_per_option: config.maxPollOptionChars,
      min_expiration: config.pollMinExpirySeconds,
      max_expiration: config.pollMaxExpirySeconds,
    },
  };
}

const contactCache = new WeakMap<AppContext, { at: number; account: ReturnType<typeof accountToApi> | null }>();

/** The first admin's profile, shown as the contact; looked up at most once a minute. */
async function contactAccount(context: AppContext) {
  const cached = contactCache.get(context);
  if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached.account;
  const admin = await context.db
    .selectFrom("users as u")
    .innerJoin("accounts as a", "a.id", "u.account_id")
    .selectAll("a")
    .where("u.role", "=", "admin")
    .where("a.suspended_at", "is", null)
    .orderBy("a.id", "asc")
    .executeTakeFirst();
  const account = admin ? accountToApi(admin, context.urls) : null;
  contactCache.set(context, { at: Date.now(), account });
  return account;
}

export async function instanceV1(context: AppContext) {
  const { config, urls } = context;
  const stats = await instanceStats(context);
  return {
    uri: config.domain,
    title: config.name,
    short_description: config.description,
    description: config.description,
    email: config.contactEmail,
    version: VERSION_STRING,
    urls: { streaming_api: urls.streaming() },
    stats: { user_count: stats.userCount, status_count: stats.statusCount, domain_count: stats.domainCount },
    thumbnail: null,
    languages: ["en"],
    registrations: config.registrations !== "closed",
    approval_required: false,
    invites_enabled: config.registrations === "invite",
    configuration: limits(context),
    contact_account: await contactAccount(context),
    rules: [],
  };
}

export async function instanceV2(context: AppContext) {
  const { config, urls } = context;
  const stats = await instanceStats(context);
  return {
    domain: config.domain,
    title: config.name,
    version: VERSION_STRING,
    source_url: config.origin,
    description: config.description,
    usage: { users: { active_month: stats.activeMonth } },
    thumbnail: { url: urls.defaultHeader(), blurhash: null, versions: {} },
    icon: [],
    languages: ["en"],
    configuration: {
      urls: { streaming: urls.streaming(), status: null, about: `${urls.origin}/about`, privacy_policy: null, terms_of_service: null },
      vapid: { public_key: "" },
      ...limits(context),
      translation: { enabled: false },
      timeline_access: {
        live_feeds: { local: "authenticated", remote: "authenticated" },
        hashtag_feeds: { local: "authenticated", remote: "authenticated" },
        trending_link_feeds: { local: "disabled", remote: "disabled" },
      },
    },
    registrations: {
      enabled: config.registrations !== "closed",
      approval_required: false,
      reason_required: false,
      message:
        config.registrations === "invite"
          ? "Accounts on this campus need an invite code from an administrator."
          : config.registrations === "closed"
            ? "Accounts on this campus are created by its administrators."
            : null,
      min_age: null,
      url: null,
    },
    api_versions: { mastodon: 2 },
    contact: { email: config.contactEmail, account: await contactAccount(context) },
    rules: [],
  };
}

/** The campuses this one federates with: its allowlisted siblings (Mastodon lists known domains). */
export async function knownPeers(context: AppContext): Promise<string[]> {
  return [...new Set(context.siblingHosts())].sort();
}
