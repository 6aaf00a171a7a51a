// docs/mastodon-api.md against the routes the server registers: every route under /api/ has a
// row there, and every row that says "supported" or "partial" names a route that exists. Rows are
// read from the page's tables; a route added later fails here until the page mentions it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { startTestInstance } from "../helpers/instance.ts";

const PAGE = join(import.meta.dirname, "..", "..", "docs", "mastodon-api.md");
const STATUSES = ["supported", "partial", "not supported"] as const;
type Status = (typeof STATUSES)[number];

interface Row {
  /** `GET /api/v1/accounts/:`: the method and the path with its parameters unnamed. */
  key: string;
  endpoint: string;
  status: string;
  line: number;
}

/**
 * One spelling for one endpoint: Mastodon's documentation and Fastify both write parameters as
 * `:name`, but not always with the same name (`:id`, `:account_id`, `:list_id` …), and Fastify may
 * add a pattern (`:id(^\\d+)`). A query string (`/api/v1/timelines/link?url=:url`) is not part
 * of the path.
 */
function endpointKey(method: string, path: string): string {
  const bare = path.replace(/[?#].*$/, "").replace(/(.)\/+$/, "$1");
  return `${method.toUpperCase()} ${bare.replace(/:[A-Za-z_][A-Za-z0-9_]*(\([^)]*\))?/g, ":")}`;
}

/** The cells of a Markdown table line; `\|` inside a cell is not a separator. */
function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** Table rows whose first cell is an endpoint: `` `GET /api/v1/instance` ``. */
function rowsOf(markdown: string): Row[] {
  const rows: Row[] = [];
  markdown.split("\n").forEach((text, index) => {
    if (!text.trimStart().startsWith("|")) return;
    const [first = "", second = ""] = cellsOf(text);
    const endpoint = /^`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)`$/.exec(first);
    if (!endpoint) return;
    rows.push({
      key: endpointKey(endpoint[1]!, endpoint[2]!),
      endpoint: `${endpoint[1]} ${endpoint[2]}`,
      status: second.replace(/\*/g, "").trim().toLowerCase(),
      line: index + 1,
    });
  });
  return rows;
}

const rows = rowsOf(await readFile(PAGE, "utf8"));
const instance = await startTestInstance(t);

/** Every registered method and path once; HEAD twins and OPTIONS (CORS preflight) aside. */
const registered = instance.app.routeTable.flatMap((route) =>
  [route.method]
    .flat()
    .filter((method) => method !== "HEAD" && method !== "OPTIONS")
    .map((method) => ({ method, url: route.url, key: endpointKey(method, route.url) })),
);
const registeredKeys = new Set(registered.map((route) => route.key));

t.test("the page has a table row for each endpoint, once, with a known status", async (t) => {
  t.ok(rows.length >= 250, `${rows.length} endpoint rows`);
  const badStatus = rows
    .filter((row) => !STATUSES.includes(row.status as Status))
    .map((row) => `line ${row.line}: ${row.endpoint} has status "${row.status}"`);
  t.same(badStatus, [], `every status is one of: ${STATUSES.join(", ")}`);

  const seen = new Map<string, Row>();
  const duplicates: string[] = [];
  for (const row of rows) {
    const earlier = seen.get(row.key);
    if (earlier) duplicates.push(`line ${row.line}: ${row.endpoint} repeats line ${earlier.line}`);
    else seen.set(row.key, row);
  }
  t.same(duplicates, [], "no endpoint has two rows");
});

t.test("every registered API route has a row", async (t) => {
  const api = registered.filter((route) => route.url.startsWith("/api/"));
  t.ok(api.length >= 100, `${api.length} API routes registered`);
  const documented = new Set(rows.map((row) => row.key));
  const missing = api
    .filter((route) => !documented.has(route.key))
    .map((route) => `${route.method} ${route.url}`);
  t.same(missing, [], "registered but missing from docs/mastodon-api.md");
});

t.test("every row marked supported or partial is a registered route", async (t) => {
  const claimed = rows.filter((row) => row.status === "supported" || row.status === "partial");
  t.ok(claimed.length > 0, `${claimed.length} rows claim support`);
  const unregistered = claimed
    .filter((row) => !registeredKeys.has(row.key))
    .map((row) => `line ${row.line}: ${row.endpoint} (${row.status})`);
  t.same(
    unregistered,
    [],
    "marked supported or partial in docs/mastodon-api.md but not registered",
  );
});

t.test("parameters and query strings compare by position, not by name", async (t) => {
  t.equal(
    endpointKey("post", "/api/v1/follow_requests/:account_id/authorize"),
    endpointKey("POST", "/api/v1/follow_requests/:id/authorize"),
  );
  t.equal(endpointKey("GET", "/api/v1/timelines/link?url=:url"), "GET /api/v1/timelines/link");
  t.equal(
    endpointKey("GET", "/api/v1/statuses/:id(^\\d+)/context"),
    "GET /api/v1/statuses/:/context",
  );
  t.equal(endpointKey("GET", "/api/v1/lists/"), "GET /api/v1/lists");
  t.not(endpointKey("GET", "/api/v1/lists/:id"), endpointKey("GET", "/api/v1/lists"));
});
