// Text → the HTML Mastodon clients expect, and the sanitizer every stored HTML goes through.
import sanitize from "sanitize-html";
import { type TextToken, tokenize } from "./text.ts";

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A mentioned account, as the formatter needs it. */
export interface MentionTarget {
  username: string;
  url: string;
}

export interface FormatOptions {
  /** Resolves a mention to an account; unresolved mentions stay plain text. */
  mention(username: string, domain: string | null): MentionTarget | null;
  tagUrl(name: string): string;
}

function linkHtml(href: string, value: string): string {
  // Mastodon hides the scheme and shortens long links, keeping the full text for copying.
  const match = /^(https?:\/\/(?:www\.)?)(.*)$/i.exec(value);
  const scheme = match?.[1] ?? "";
  const rest = match?.[2] ?? value;
  const visible = rest.slice(0, 30);
  const hidden = rest.slice(30);
  return (
    `<a href="${escapeHtml(href)}" target="_blank" rel="nofollow noopener" translate="no">` +
    `<span class="invisible">${escapeHtml(scheme)}</span>` +
    `<span class="${hidden ? "ellipsis" : ""}">${escapeHtml(visible)}</span>` +
    `<span class="invisible">${escapeHtml(hidden)}</span></a>`
  );
}

function tokenHtml(token: TextToken, options: FormatOptions): string {
  switch (token.kind) {
    case "text":
      return escapeHtml(token.value).replaceAll("\n", "<br />");
    case "url":
      return linkHtml(token.href, token.value);
    case "hashtag":
      return (
        `<a href="${escapeHtml(options.tagUrl(token.name))}" class="mention hashtag" rel="tag">` +
        `#<span>${escapeHtml(token.name)}</span></a>`
      );
    case "mention": {
      const target = options.mention(token.username, token.domain);
      if (!target) return escapeHtml(token.value);
      return (
        `<span class="h-card" translate="no"><a href="${escapeHtml(target.url)}" class="u-url mention">` +
        `@<span>${escapeHtml(target.username)}</span></a></span>`
      );
    }
  }
}

/** Paragraphs at blank lines, line breaks within them, and linked mentions, tags and URLs. */
export function textToHtml(text: string, options: FormatOptions): string {
  const paragraphs = text
    .replaceAll("\r\n", "\n")
    .trim()
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim() !== "");
  const html = paragraphs
    .map((paragraph) => `<p>${tokenize(paragraph).map((token) => tokenHtml(token, options)).join("")}</p>`)
    .join("");
  return sanitizeHtml(html);
}

/**
 * Links never pass on trust or the opener; hashtags keep rel="tag", and rel="me" (a profile
 * field pointing at the owner's own page) survives, as in Mastodon's profile fields.
 */
function relOf(attribs: sanitize.Attributes): string {
  const given = new Set((attribs.rel ?? "").split(/\s+/));
  if (attribs.class?.includes("hashtag") && given.has("tag")) return "tag";
  return given.has("me") ? "nofollow noopener me" : "nofollow noopener";
}

const ALLOWED: sanitize.IOptions = {
  allowedTags: [
    "p", "br", "span", "a", "del", "pre", "code", "em", "strong", "b", "i", "u", "ul", "ol", "li",
    "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup", "s",
  ],
  allowedAttributes: {
    a: ["href", "rel", "class", "target", "translate"],
    span: ["class", "translate"],
    ol: ["start", "reversed"],
    li: ["value"],
  },
  allowedClasses: {
    a: ["mention", "hashtag", "u-url", "status-link", "unhandled-link"],
    span: ["h-card", "invisible", "ellipsis"],
  },
  allowedSchemes: ["http", "https", "mailto", "xmpp", "magnet", "dat", "ipfs", "gopher", "gemini"],
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: relOf(attribs), target: "_blank" } }),
  },
};

/** Every HTML we store or serve passes here: local formatting and, later, content from siblings. */
export function sanitizeHtml(html: string): string {
  return sanitize(html, ALLOWED);
}
