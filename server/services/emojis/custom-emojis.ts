// The campus's custom emojis: added by admins (`npm run admin -- emoji add`), listed for apps'
// pickers, and usable as announcement reactions.
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import type { Db } from "../../../db/repositories/types.ts";
import type { AppContext } from "../../context.ts";
import { type ApiCustomEmoji, customEmojiToApi } from "../../serializers/custom-emoji.ts";
import { type MediaStore, newMediaKey } from "../media/store.ts";

/** Mastodon's rules: two or more letters, digits or underscores, and at most 256 KB. */
export const SHORTCODE = /^[a-zA-Z0-9_]{2,64}$/;
export const MAX_EMOJI_BYTES = 256 * 1024;
const FORMATS: Record<string, { contentType: string; extension: string }> = {
  png: { contentType: "image/png", extension: "png" },
  gif: { contentType: "image/gif", extension: "gif" },
  webp: { contentType: "image/webp", extension: "webp" },
};

export class EmojiError extends Error {
  override name = "EmojiError";
}

export async function listCustomEmojis(context: Pick<AppContext, "db" | "urls" | "media">): Promise<ApiCustomEmoji[]> {
  const rows = await context.db.selectFrom("custom_emojis").selectAll().orderBy("shortcode").execute();
  return rows.map((row) =>
    customEmojiToApi(
      row,
      { file: context.media.publicPath(row.file_key), still: context.media.publicPath(row.static_key) },
      context.urls,
    ),
  );
}

/** Shortcodes that name a custom emoji here (case as stored), from the ones asked about. */
export async function findCustomEmoji(db: Db, shortcode: string) {
  return db
    .selectFrom("custom_emojis")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["shortcode"]), "=", shortcode.toLowerCase()))
    .executeTakeFirst();
}

/** Stores an image file as a new emoji; animated images get a still for `static_url`. */
export async function addCustomEmoji(
  db: Db,
  media: MediaStore,
  input: { shortcode: string; path: string; category?: string | null },
): Promise<void> {
  if (!SHORTCODE.test(input.shortcode)) {
    throw new EmojiError("a SHORTCODE is 2 to 64 letters, digits or underscores");
  }
  if (await findCustomEmoji(db, input.shortcode)) throw new EmojiError(`:${input.shortcode}: already exists`);
  let data: Buffer;
  try {
    data = await readFile(input.path);
  } catch (error) {
    throw new EmojiError(`cannot read ${input.path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
  if (data.length > MAX_EMOJI_BYTES) throw new EmojiError("the image must be 256 KB or smaller");
  const metadata = await sharp(data)
    .metadata()
    .catch(() => null);
  const format = metadata?.format ? FORMATS[metadata.format] : undefined;
  if (!format) throw new EmojiError("the file must be a PNG, GIF or WebP image");
  const fileKey = newMediaKey("custom_emojis", format.extension);
  await media.put(fileKey, data, format.contentType);
  let staticKey = fileKey;
  if ((metadata?.pages ?? 1) > 1) {
    staticKey = newMediaKey("custom_emojis", "png");
    await media.put(staticKey, await sharp(data).png().toBuffer(), "image/png");
  }
  await db
    .insertInto("custom_emojis")
    .values({
      shortcode: input.shortcode,
      file_key: fileKey,
      static_key: staticKey,
      content_type: format.contentType,
      category: input.category ?? null,
    })
    .execute();
}

export async function removeCustomEmoji(db: Db, media: MediaStore, shortcode: string): Promise<boolean> {
  const emoji = await findCustomEmoji(db, shortcode);
  if (!emoji) return false;
  await db.deleteFrom("custom_emojis").where("id", "=", emoji.id).execute();
  await media.delete(emoji.file_key);
  if (emoji.static_key !== emoji.file_key) await media.delete(emoji.static_key);
  return true;
}
