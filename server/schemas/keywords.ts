import type { Ajv } from "ajv";

// Mastodon clients spell booleans many ways: JSON true, "true", "1", "on", "True" (Mastodon.py
// sends local=1). Rails accepts them all, so we do too; anything else is a validation error.
const TRUE_SPELLINGS = new Set(["true", "1", "on", "t", "yes", "y"]);
const FALSE_SPELLINGS = new Set(["false", "0", "off", "f", "no", "n", ""]);

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === null) return false;
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value === "string") {
    const lowered = value.trim().toLowerCase();
    if (TRUE_SPELLINGS.has(lowered)) return true;
    if (FALSE_SPELLINGS.has(lowered)) return false;
  }
  // A single-element array comes from a repeated form field; use its value.
  if (Array.isArray(value) && value.length === 1) return toBoolean(value[0]);
  return undefined;
}

/** Adds the `x-boolean` keyword: accepts Mastodon's boolean spellings and stores a real boolean. */
export function addMastodonKeywords(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: "x-boolean",
    modifying: true,
    schemaType: "boolean",
    errors: true,
    validate: function validateBoolean(
      this: unknown,
      _schema: boolean,
      data: unknown,
      _parentSchema: unknown,
      context?: { parentData: Record<string | number, unknown>; parentDataProperty: string | number },
    ): boolean {
      const value = toBoolean(data);
      const self = validateBoolean as unknown as { errors?: unknown[] };
      if (value === undefined) {
        self.errors = [{ keyword: "x-boolean", message: "must be a boolean", params: {} }];
        return false;
      }
      if (context?.parentData) context.parentData[context.parentDataProperty] = value;
      return true;
    },
  });
  return ajv;
}
