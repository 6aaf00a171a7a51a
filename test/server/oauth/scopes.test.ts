// Unit tests of the scope rules in server/services/oauth/scopes.ts.
import t from "tap";
import { ALL_SCOPES, grants, parseScopes, unknownScopes, withinScopes } from "../../../server/services/oauth/scopes.ts";

const has = (...scopes: string[]) => new Set(scopes);

t.test("parseScopes splits on spaces and pluses, and drops blanks and repeats", async (t) => {
  t.same(parseScopes("read write  follow"), ["read", "write", "follow"]);
  t.same(parseScopes("read+write:statuses"), ["read", "write:statuses"]);
  t.same(parseScopes(" read\nread "), ["read"]);
  t.same(parseScopes(""), []);
  t.same(parseScopes(undefined), []);
  t.same(parseScopes(null), []);
});

t.test("the scope list is Mastodon's", async (t) => {
  for (const scope of ["read", "write", "follow", "push", "profile", "admin:read", "admin:write"]) {
    t.ok(ALL_SCOPES.includes(scope), scope);
  }
  for (const scope of ["read:statuses", "read:accounts", "write:media", "write:conversations", "admin:read:accounts", "admin:write:reports"]) {
    t.ok(ALL_SCOPES.includes(scope), scope);
  }
  t.same(unknownScopes(["read", "read:everything", "admin", "write:statuses", "READ"]), ["read:everything", "admin", "READ"]);
});

t.test("a top-level scope grants its granular scopes, not the other way round", async (t) => {
  t.ok(grants(has("read"), "read:statuses"));
  t.ok(grants(has("read"), "read:accounts"));
  t.ok(grants(has("write"), "write:media"));
  t.ok(grants(has("read:statuses"), "read:statuses"));
  t.notOk(grants(has("read:statuses"), "read"));
  t.notOk(grants(has("read:statuses"), "read:accounts"));
  t.notOk(grants(has("read"), "write:statuses"));
  t.notOk(grants(has("write"), "read:statuses"));
  t.notOk(grants(has("read", "write", "follow", "push"), "profile"), "profile is only granted by itself");
  t.ok(grants(has("profile"), "profile"));
  t.notOk(grants(has("profile"), "read:accounts"));
});

t.test("admin scopes are apart from read and write", async (t) => {
  t.ok(grants(has("admin:read"), "admin:read:accounts"));
  t.ok(grants(has("admin:write"), "admin:write:reports"));
  t.notOk(grants(has("read"), "admin:read:accounts"));
  t.notOk(grants(has("read", "write"), "admin:read"));
  t.notOk(grants(has("admin:read"), "admin:write:accounts"));
  t.notOk(grants(has("admin:read:reports"), "admin:read:accounts"));
  t.notOk(grants(has("admin:read"), "read:statuses"), "admin:read does not read a user's own data");
});

t.test("the legacy follow scope covers blocks, follows and mutes only", async (t) => {
  for (const scope of ["read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"]) {
    t.ok(grants(has("follow"), scope), scope);
  }
  t.notOk(grants(has("follow"), "read:statuses"));
  t.notOk(grants(has("follow"), "write:accounts"));
  t.notOk(grants(has("follow"), "read"));
});

t.test("withinScopes: requests must stay inside what the app registered", async (t) => {
  t.ok(withinScopes(["read", "write"], ["read"]));
  t.ok(withinScopes(["read", "write"], ["read:statuses", "write:media"]));
  t.ok(withinScopes(["read", "follow"], ["read:follows"]));
  t.ok(withinScopes(["read"], []));
  t.notOk(withinScopes(["read"], ["read", "write"]));
  t.notOk(withinScopes(["read:statuses"], ["read"]));
  t.notOk(withinScopes(["read", "write", "follow", "push"], ["admin:read"]));
  t.notOk(withinScopes(["read"], ["nonsense"]));
});
