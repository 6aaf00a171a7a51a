// Matching a post against filters, as Mastodon does: keywords are case-insensitive; a whole-word
// keyword must not continue a word on either side (word characters are letters, marks, decimal
// digits and connector punctuation, Ruby's [[:word:]]); the text is the content warning, the
// post's text without HTML, and the descriptions of its attachments. Status filters match the
// post itself or, for a boost, the post it boosts. Pure functions.
import type { ApiFilterResult, FilterRecord, KeywordRecord } from "../../serializers/filter.ts";
import { filterToApi } from "../../serializers/filter.ts";

const WORD_CLASS = "[\\p{L}\\p{M}\\p{Nd}\\p{Pc}]";
const WORD = new RegExp(`^${WORD_CLASS}$`, "u");

/** An active filter of the viewer, with its keywords and filtered posts. */
export interface LoadedFilter {
  record: FilterRecord;
  keywords: KeywordRecord[];
  statusIds: readonly string[];
}

/** What a post offers to keyword matching. */
export interface MatchableText {
  spoilerText: string;
  /** The post's HTML. */
  content: string;
  /** Attachment descriptions and poll options. */
  extra: readonly string[];
}

function escapeRegExp(text: string): string {
  // Only the syntax characters: with the `u` flag any other escape is an error.
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

export function keywordRegExp(keyword: string, wholeWord: boolean): RegExp {
  const escaped = escapeRegExp(keyword);
  if (!wholeWord) return new RegExp(escaped, "iu");
  const characters = [...keyword];
  const start = WORD.test(characters[0] ?? "") ? `(?<!${WORD_CLASS})` : "";
  const end = WORD.test(characters.at(-1) ?? "") ? `(?!${WORD_CLASS})` : "";
  return new RegExp(`${start}${escaped}${end}`, "iu");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** A post's HTML as the plain text people read: paragraphs and line breaks kept, tags gone. */
export function htmlToPlainText(html: string): string {
  const text = html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>\s*<p[^>]*>/gi, "\n\n")
    .replace(/<[^>]*>/g, "");
  return decodeEntities(text);
}

export function searchableText(post: MatchableText): string {
  return [post.spoilerText, htmlToPlainText(post.content), ...post.extra].filter((part) => part !== "").join("\n\n");
}

/**
 * The filter results for one post: every filter with a matching keyword (the keywords that
 * matched) or naming the post (`statusIds`: the post, and for a boost the boosted post).
 */
export function matchFilters(
  filters: readonly LoadedFilter[],
  text: string | (() => string),
  statusIds: readonly string[],
  regExps: Map<string, RegExp>,
): ApiFilterResult[] {
  const results: ApiFilterResult[] = [];
  let searchable: string | null = typeof text === "string" ? text : null;
  for (const filter of filters) {
    const keywordMatches: string[] = [];
    for (const keyword of filter.keywords) {
      let regExp = regExps.get(keyword.id);
      if (!regExp) {
        regExp = keywordRegExp(keyword.keyword, keyword.whole_word);
        regExps.set(keyword.id, regExp);
      }
      searchable ??= (text as () => string)();
      if (regExp.test(searchable)) keywordMatches.push(keyword.keyword);
    }
    const statusMatches = statusIds.filter((id) => filter.statusIds.includes(id));
    if (keywordMatches.length === 0 && statusMatches.length === 0) continue;
    results.push({
      filter: filterToApi(filter.record),
      keyword_matches: keywordMatches.length > 0 ? keywordMatches : null,
      status_matches: statusMatches.length > 0 ? statusMatches : null,
    });
  }
  return results;
}
