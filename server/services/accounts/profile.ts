import type { Account, AccountUpdate, ProfileField, Visibility } from "../../../db/schema.ts";
import type { UploadedFile } from "../../plugins/body.ts";
import type { AppContext } from "../../context.ts";
import { unprocessable } from "../../errors.ts";
import { recordIntent } from "../federation/intents.ts";
import { fitImage } from "../media/images.ts";
import { newMediaKey } from "../media/store.ts";
import { escapeHtml, sanitizeHtml, textToHtml } from "../statuses/html.ts";
import { mentionLookup, resolveMentions } from "../statuses/mentions.ts";
import { tokenize } from "../statuses/text.ts";
import { acceptAllFollowRequests, type NewFollow, publishFollows } from "./follows.ts";

export const MAX_FIELDS = 4;
const MAX_DISPLAY_NAME = 30;
const MAX_NOTE = 500;
const MAX_FIELD_LENGTH = 255;

export interface ProfileChanges {
  displayName?: string;
  note?: string;
  locked?: boolean;
  bot?: boolean;
  discoverable?: boolean;
  indexable?: boolean;
  fields?: ProfileField[];
  avatar?: UploadedFile;
  header?: UploadedFile;
  source?: { privacy?: Visibility; sensitive?: boolean; language?: string | null; localOnly?: boolean };
}

/** A profile field value as HTML: links become anchors, nothing else is interpreted. */
function fieldValueHtml(value: string): string {
  return sanitizeHtml(
    tokenize(value)
      .map((token) =>
        token.kind === "url"
          ? `<a href="${escapeHtml(token.href)}" target="_blank" rel="nofollow noopener me" translate="no">${escapeHtml(token.value.replace(/^https?:\/\//, ""))}</a>`
          : escapeHtml(token.value),
      )
      .join(""),
  );
}

function validate(changes: ProfileChanges): void {
  if (changes.displayName !== undefined && Array.from(changes.displayName).length > MAX_DISPLAY_NAME) {
    throw unprocessable(`Display name is too long (maximum is ${MAX_DISPLAY_NAME} characters)`);
  }
  if (changes.note !== undefined && Array.from(changes.note).length > MAX_NOTE) {
    throw unprocessable(`Note is too long (maximum is ${MAX_NOTE} characters)`);
  }
  if (changes.fields) {
    if (changes.fields.length > MAX_FIELDS) throw unprocessable(`Fields: at most ${MAX_FIELDS} are allowed`);
    for (const field of changes.fields) {
      if (field.name.length > MAX_FIELD_LENGTH || field.value.length > MAX_FIELD_LENGTH) {
        throw unprocessable(`Fields: names and values are at most ${MAX_FIELD_LENGTH} characters`);
      }
    }
  }
  if (changes.source?.language && !/^[a-z]{2,3}$/.test(changes.source.language)) {
    throw unprocessable("Language is not a valid language code");
  }
}

async function storeImage(
  context: AppContext,
  file: UploadedFile,
  kind: "avatars" | "headers",
): Promise<string> {
  if (file.data.length > context.config.maxImageBytes) throw unprocessable("the image is too large");
  const box = kind === "avatars" ? { width: 400, height: 400 } : { width: 1500, height: 500 };
  const image = await fitImage(file.data, box);
  const key = newMediaKey(`accounts/${kind}`, image.extension);
  await context.media.put(key, image.data, image.contentType);
  return key;
}

/** Applies update_credentials. Images are processed before the row changes; replaced files are removed after. */
export async function updateProfile(context: AppContext, account: Account, changes: ProfileChanges): Promise<void> {
  validate(changes);
  const update: AccountUpdate = { updated_at: new Date() };
  if (changes.displayName !== undefined) update.display_name = changes.displayName.trim();
  if (changes.note !== undefined) {
    const note = changes.note.trim();
    const mentions = await resolveMentions(context, note);
    update.note_source = note;
    update.note = note ? textToHtml(note, { mention: mentionLookup(mentions), tagUrl: (name) => context.urls.tag(name) }) : "";
  }
  if (changes.locked !== undefined) update.locked = changes.locked;
  if (changes.bot !== undefined) update.bot = changes.bot;
  if (changes.discoverable !== undefined) update.discoverable = changes.discoverable;
  if (changes.indexable !== undefined) update.indexable = changes.indexable;
  if (changes.fields) {
    const fields = changes.fields.filter((field) => field.name.trim() !== "" || field.value.trim() !== "");
    update.fields_source = JSON.stringify(fields.map((field) => ({ name: field.name.trim(), value: field.value.trim() })));
    update.fields = JSON.stringify(
      fields.map((field) => ({ name: escapeHtml(field.name.trim()), value: fieldValueHtml(field.value.trim()) })),
    );
  }
  const newFiles: string[] = [];
  let accepted: NewFollow[];
  try {
    if (changes.avatar) {
      update.avatar_path = await storeImage(context, changes.avatar, "avatars");
      newFiles.push(update.avatar_path);
    }
    if (changes.header) {
      update.header_path = await storeImage(context, changes.header, "headers");
      newFiles.push(update.header_path);
    }
    accepted = await context.db.transaction().execute(async (trx) => {
      await trx.updateTable("accounts").set(update).where("id", "=", account.id).execute();
      if (changes.source) {
        const source = changes.source;
        const userUpdate = {
          ...(source.privacy ? { default_visibility: source.privacy } : {}),
          ...(source.sensitive !== undefined ? { default_sensitive: source.sensitive } : {}),
          ...(source.language !== undefined ? { default_language: source.language || null } : {}),
          ...(source.localOnly !== undefined ? { default_local_only: source.localOnly } : {}),
        };
        if (Object.keys(userUpdate).length > 0) {
          await trx.updateTable("users").set(userUpdate).where("account_id", "=", account.id).execute();
        }
      }
      // Siblings hold a copy of the profile; posting defaults (source) are nobody else's business.
      if (Object.keys(update).some((key) => key !== "updated_at")) {
        await recordIntent(trx, { type: "account.updated", accountId: account.id });
      }
      // Nobody waits for an approval that is no longer asked for, as in Mastodon.
      return changes.locked === false ? acceptAllFollowRequests(trx, account.id) : [];
    });
  } catch (error) {
    await Promise.all(newFiles.map((key) => context.media.delete(key)));
    throw error;
  }
  const replaced = [
    changes.avatar ? account.avatar_path : null,
    changes.header ? account.header_path : null,
  ].filter((key): key is string => key !== null);
  await Promise.all(replaced.map((key) => context.media.delete(key).catch(() => {})));
  context.events.emit("account.updated", { accountId: account.id });
  publishFollows(context, accepted);
}
