import type { Selectable } from "kysely";
import type { CustomEmojisTable } from "../../db/schema.ts";
import type { Urls } from "../urls.ts";

export interface ApiCustomEmoji {
  shortcode: string;
  url: string;
  static_url: string;
  visible_in_picker: boolean;
  category: string | null;
}

export function customEmojiToApi(
  emoji: Pick<Selectable<CustomEmojisTable>, "shortcode" | "visible_in_picker" | "category">,
  paths: { file: string; still: string },
  urls: Urls,
): ApiCustomEmoji {
  return {
    shortcode: emoji.shortcode,
    url: urls.media(paths.file),
    static_url: urls.media(paths.still),
    visible_in_picker: emoji.visible_in_picker,
    category: emoji.category,
  };
}
