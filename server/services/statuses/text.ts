// Plain text as people type it → the parts Mastodon cares about: links, mentions, hashtags.
import * as linkify from "linkifyjs";

// Mastodon's mention grammar, extended with an optional :port so that handles of instances on
// one machine (@raj@127.0.0.1:3002) work as well.
const MENTION =
  /(?<=^|[^/\p{L}\p{N}_])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@([\p{L}\p{N}_.-]+[\p{L}\p{N}_]+(?::\d{1,5})?))?/giu;
// A hashtag has at least one letter or underscore, so #2024 alone is not one.
const HASHTAG = /(?<=^|[^/)\p{L}\p{N}_])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)/gu;

export type TextToken =
  | { kind: "text"; value: string }
  | { kind: "url"; value: string; href: string }
  | { kind: "mention"; value: string; username: string; domain: string | null }
  | { kind: "hashtag"; value: string; name: string };

interface Span {
  start: number;
  end: number;
  token: TextToken;
}

function findSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const link of linkify.find(text, "url")) {
    // Only links written with a scheme, as Mastodon does: "node.js" stays text.
    if (!/^https?:\/\//i.test(link.value)) continue;
    spans.push({
      start: link.start,
      end: link.end,
      token: { kind: "url", value: link.value, href: link.href },
    });
  }
  for (const match of text.matchAll(MENTION)) {
    spans.push({
      start: match.index,
      end: match.index + match[0].length,
      token: {
        kind: "mention",
        value: match[0],
        username: match[1]!,
        domain: match[2]?.toLowerCase() ?? null,
      },
    });
  }
  for (const match of text.matchAll(HASHTAG)) {
    spans.push({
      start: match.index,
      end: match.index + match[0].length,
      token: { kind: "hashtag", value: match[0], name: match[1]! },
    });
  }
  // Earlier and longer spans win; a hashtag inside a URL stays part of the URL.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  for (const span of spans) {
    const last = kept.at(-1);
    if (last && span.start < last.end) continue;
    kept.push(span);
  }
  return kept;
}

export function tokenize(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  let position = 0;
  for (const span of findSpans(text)) {
    if (span.start > position) tokens.push({ kind: "text", value: text.slice(position, span.start) });
    tokens.push(span.token);
    position = span.end;
  }
  if (position < text.length) tokens.push({ kind: "text", value: text.slice(position) });
  return tokens;
}

/** Mentions found in the text: unique by handle, in order of appearance. */
export function extractMentions(text: string): { username: string; domain: string | null }[] {
  const seen = new Map<string, { username: string; domain: string | null }>();
  for (const token of tokenize(text)) {
    if (token.kind !== "mention") continue;
    const key = `${token.username.toLowerCase()}@${token.domain ?? ""}`;
    if (!seen.has(key)) seen.set(key, { username: token.username, domain: token.domain });
  }
  return [...seen.values()];
}

/** Hashtags found in the text: unique case-insensitively, keeping the first spelling. */
export function extractHashtags(text: string): string[] {
  const seen = new Map<string, string>();
  for (const token of tokenize(text)) {
    if (token.kind === "hashtag" && !seen.has(normalizeTag(token.name))) {
      seen.set(normalizeTag(token.name), token.name);
    }
  }
  return [...seen.values()];
}

export function normalizeTag(name: string): string {
  return name.normalize("NFKC").toLowerCase();
}

const URL_WEIGHT = 23;

/**
 * Length as Mastodon counts it against the limit: every link counts as 23 characters and a
 * mention of someone elsewhere counts only its @username part.
 */
export function countedLength(text: string): number {
  let length = 0;
  for (const token of tokenize(text)) {
    if (token.kind === "url") length += URL_WEIGHT;
    else if (token.kind === "mention") length += Array.from(`@${token.username}`).length;
    else length += Array.from(token.value).length;
  }
  return length;
}
