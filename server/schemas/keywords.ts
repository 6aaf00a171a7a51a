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

// Our IDs are PostgreSQL bigints: up to 19 decimal digits, at most 2^63 - 1. A longer or larger
// number can name no row, and PostgreSQL refuses to compare a bigint with it.
const MAX_ID = "9223372036854775807";

export function isId(value: unknown): value is string {
  return (
    typeof value === "string" &&
    /^[0-9]{1,19}$/.test(value) &&
    (value.length < MAX_ID.length || value <= MAX_ID)
  );
}

/**
 * Adds two keywords: `x-boolean` accepts Mastodon's boolean spellings and stores a real boolean;
 * `x-id` accepts only strings that can be one of our IDs.
 */
export function addMastodonKeywords(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: "x-id",
    schemaType: "boolean",
    errors: true,
    validate: function validateId(this: unknown, _schema: boolean, data: unknown): boolean {
      if (isId(data)) return true;
      (validateId as unknown as { errors?: unknown[] }).errors = [
        { keyword: "x-id", message: "must be a numeric ID", params: {} },
      ];
      return false;
    },
  });
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
      context?: {
        parentData: Record<string | number, unknown>;
        parentDataProperty: string | number;
      },
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
