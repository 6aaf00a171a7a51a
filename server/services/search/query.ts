// What someone typed into the search box, taken apart: words, "quoted phrases" and Mastodon's
// operators (from:, has:, is:, language:, before:, after:, during:, in:), each possibly negated
// with a leading "-". Pure: the SQL is built in search.ts.

export type HasValue = "media" | "poll" | "link" | "embed" | "image" | "video" | "audio";
export type IsValue = "reply" | "sensitive";

export type Operator =
  | { kind: "from"; username: string; domain: string | null; me: boolean }
  | { kind: "has"; value: HasValue }
  | { kind: "is"; value: IsValue }
  | { kind: "language"; value: string }
  | { kind: "before" | "after" | "during"; date: string }
  | { kind: "in"; value: "library" | "public" };

export interface TextTerm {
  /** A to_tsquery expression over quoted lexeme runs: `'open' <-> 'source'`, `'crm':*`. */
  tsquery: string;
  negated: boolean;
}

export interface ParsedQuery {
  terms: TextTerm[];
  operators: { operator: Operator; negated: boolean }[];
}

const HAS_VALUES = new Set<HasValue>(["media", "poll", "link", "embed", "image", "video", "audio"]);
const IS_VALUES = new Set<IsValue>(["reply", "sensitive"]);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TOKEN = /(-?)(?:([a-z]+):("[^"]*"|\S+)|"([^"]*)"?|(\S+))/giy;
/** Enough words for any real question; the rest are ignored. */
const MAX_TERMS = 16;

/** Letter and digit runs of a word, lowercased: the pieces the text-search parser indexes. */
function runs(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function phrase(words: string[], prefix: boolean): string {
  return words.map((word, index) => `'${word}'${prefix && index === words.length - 1 ? ":*" : ""}`).join(" <-> ");
}

function validDate(text: string): string | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : text;
}

function operatorOf(name: string, rawValue: string): Operator | null {
  const value = rawValue.replace(/^"|"$/g, "");
  switch (name.toLowerCase()) {
    case "from": {
      const handle = /^@?([a-z0-9_.-]+)(?:@([\p{L}\p{N}.:-]+))?$/iu.exec(value);
      if (!handle) return null;
      const username = handle[1]!;
      return { kind: "from", username, domain: handle[2]?.toLowerCase() ?? null, me: !handle[2] && username.toLowerCase() === "me" };
    }
    case "has":
      return HAS_VALUES.has(value.toLowerCase() as HasValue) ? { kind: "has", value: value.toLowerCase() as HasValue } : null;
    case "is":
      return IS_VALUES.has(value.toLowerCase() as IsValue) ? { kind: "is", value: value.toLowerCase() as IsValue } : null;
    case "language":
      return /^[a-z]{2,3}(-[a-z0-9]{2,8})?$/i.test(value) ? { kind: "language", value: value.toLowerCase() } : null;
    case "before":
    case "after":
    case "during": {
      const date = validDate(value);
      return date ? { kind: name.toLowerCase() as "before" | "after" | "during", date } : null;
    }
    case "in":
      return value.toLowerCase() === "library" || value.toLowerCase() === "public"
        ? { kind: "in", value: value.toLowerCase() as "library" | "public" }
        : null;
    default:
      return null;
  }
}

/**
 * Parses a query. A word ending in `*` is a prefix; so is the last word when the query does not
 * end with a space (the person may still be typing it). An operator that is not understood
 * (`note:x`, `has:nothing`) is searched as words, as Mastodon does.
 */
export function parseQuery(q: string): ParsedQuery {
  const parsed: ParsedQuery = { terms: [], operators: [] };
  const stillTyping = !/\s$/.test(q);
  const text = q.trim();
  const tokens: { negated: boolean; words: string[]; phrase: boolean; star: boolean; final: boolean }[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    while (position < text.length && /\s/.test(text[position]!)) position++;
    if (position >= text.length) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (!match) break;
    position = TOKEN.lastIndex;
    const [whole, minus, name, value, quoted, word] = match;
    const negated = minus === "-";
    const final = text.slice(position).trim() === "";
    if (name !== undefined && value !== undefined) {
      const operator = operatorOf(name, value);
      if (operator) {
        parsed.operators.push({ operator, negated });
        continue;
      }
      tokens.push({ negated, words: runs(whole.slice(negated ? 1 : 0)), phrase: false, star: false, final });
    } else if (quoted !== undefined) {
      tokens.push({ negated, words: runs(quoted), phrase: true, star: false, final });
    } else if (word !== undefined) {
      tokens.push({ negated, words: runs(word), phrase: false, star: word.endsWith("*"), final });
    }
  }
  const useful = tokens.filter((token) => token.words.length > 0).slice(0, MAX_TERMS);
  useful.forEach((token) => {
    const last = token.final && stillTyping && !token.phrase && !token.negated;
    parsed.terms.push({ tsquery: phrase(token.words, token.star || last), negated: token.negated });
  });
  return parsed;
}

/** Operators whose meaning depends on who asks: a sibling cannot answer them for our viewer. */
export function isPersonal(parsed: ParsedQuery): boolean {
  return parsed.operators.some(({ operator }) => (operator.kind === "from" && operator.me) || operator.kind === "in" && operator.value === "library");
}
