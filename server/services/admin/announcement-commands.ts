// Admin commands for campus announcements and custom emojis. Through the running server's
// admin socket, a new or deleted announcement reaches connected apps at once (streaming).
import { join } from "node:path";
import type { AppContext } from "../../context.ts";
import {
  AnnouncementError,
  allAnnouncements,
  createAnnouncement,
  deleteAnnouncement,
} from "../announcements/announcements.ts";
import { addCustomEmoji, EmojiError, removeCustomEmoji } from "../emojis/custom-emojis.ts";
import { LocalDiskStore, type MediaStore } from "../media/store.ts";
import { AdminCommandError, type AdminContext, type AdminRequest } from "./commands.ts";

type Handler = (context: AdminContext, request: AdminRequest) => Promise<string>;

/** What the server's context adds when the command comes through its socket. */
type LiveParts = Partial<Pick<AppContext, "events" | "media">>;

function mediaOf(context: AdminContext): MediaStore {
  return (context as LiveParts).media ?? new LocalDiskStore(join(context.config.dataDir, "media"));
}

function timeOption(name: string, value: string | boolean | undefined): Date | null {
  if (value === undefined) return null;
  const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new AdminCommandError(`--${name} must be a date and time such as 2026-12-01T09:00:00Z`);
  }
  return date;
}

function rethrow(error: unknown): never {
  if (error instanceof AnnouncementError || error instanceof EmojiError) throw new AdminCommandError(error.message);
  throw error;
}

export const ANNOUNCEMENT_HANDLERS: Record<string, Handler> = {
  "announcement create": async (context, { args, options }) => {
    const text = args[0];
    if (!text) throw new AdminCommandError("the announcement's TEXT is required");
    const announcement = await createAnnouncement(
      { ...context, events: (context as LiveParts).events },
      {
        text,
        startsAt: timeOption("starts-at", options["starts-at"]),
        endsAt: timeOption("ends-at", options["ends-at"]),
        allDay: options["all-day"] === true,
      },
    ).catch(rethrow);
    return `announcement ${announcement.id} published`;
  },

  "announcement list": async (context, { options }) => {
    const announcements = await allAnnouncements(context.db);
    const now = Date.now();
    const rows = announcements.map((announcement) => ({
      id: announcement.id,
      text: announcement.text,
      starts_at: announcement.starts_at?.toISOString() ?? null,
      ends_at: announcement.ends_at?.toISOString() ?? null,
      all_day: announcement.all_day,
      published_at: announcement.published_at.toISOString(),
      ended: announcement.ends_at !== null && announcement.ends_at.getTime() <= now,
    }));
    if (options.json) return JSON.stringify(rows, null, 2);
    if (rows.length === 0) return "no announcements";
    return rows
      .map((row) => {
        const when = [row.starts_at && `from ${row.starts_at}`, row.ends_at && `until ${row.ends_at}`]
          .filter(Boolean)
          .join(" ");
        const text = row.text.length > 60 ? `${row.text.slice(0, 59)}…` : row.text;
        return `${row.id}  ${row.ended ? "ended" : "shown"}${when ? `  ${when}` : ""}${row.all_day ? " (all day)" : ""}  ${text.replaceAll("\n", " ")}`;
      })
      .join("\n");
  },

  "announcement delete": async (context, { args }) => {
    const id = args[0];
    if (!id || !/^\d{1,19}$/.test(id)) throw new AdminCommandError("an announcement ID is required");
    const deleted = await deleteAnnouncement({ ...context, events: (context as LiveParts).events }, id);
    if (!deleted) throw new AdminCommandError(`no announcement ${id}`);
    return `announcement ${id} deleted`;
  },

  "emoji add": async (context, { args, options }) => {
    const [shortcode, path] = args;
    if (!shortcode || !path) throw new AdminCommandError("a SHORTCODE and an image FILE are required");
    await addCustomEmoji(context.db, mediaOf(context), {
      shortcode: shortcode.replace(/^:(.*):$/, "$1"),
      path,
      category: typeof options.category === "string" ? options.category : null,
    }).catch(rethrow);
    return `:${shortcode.replace(/^:(.*):$/, "$1")}: added`;
  },

  "emoji list": async (context, { options }) => {
    const rows = await context.db
      .selectFrom("custom_emojis")
      .select(["shortcode", "category", "content_type"])
      .orderBy("shortcode")
      .execute();
    if (options.json) return JSON.stringify(rows, null, 2);
    if (rows.length === 0) return "no custom emojis";
    return rows.map((row) => `:${row.shortcode}:  ${row.content_type}${row.category ? `  ${row.category}` : ""}`).join("\n");
  },

  "emoji remove": async (context, { args }) => {
    const shortcode = args[0]?.replace(/^:(.*):$/, "$1");
    if (!shortcode) throw new AdminCommandError("a SHORTCODE is required");
    if (!(await removeCustomEmoji(context.db, mediaOf(context), shortcode))) {
      throw new AdminCommandError(`no custom emoji :${shortcode}:`);
    }
    return `:${shortcode}: removed`;
  },
};
