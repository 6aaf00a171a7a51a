// Bad and good inputs derived from a route's JSON Schemas, for sweeps over every route.
// Candidate values are checked with an Ajv set up like the app's (same coercions, same
// Mastodon keywords), after the round trip through the encoding they are sent in, so a case
// counts as bad only if the server's own rules must refuse it.
import { Ajv, type ValidateFunction } from "ajv";
import qs from "qs";
import { addMastodonKeywords } from "../../server/schemas/keywords.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON Schemas are untyped documents.
export type Schema = Record<string, any>;
export type Encoding = "json" | "form" | "multipart" | "query";

export interface BadCase {
  /** The property path that is wrong, e.g. ["source", "privacy"]. */
  path: string[];
  /** What kind of wrong: "a junk boolean", "too long"… */
  label: string;
  /** The whole input: valid examples for required properties plus the bad one. */
  input: Record<string, unknown>;
}

const AN_OBJECT = { a: "1" };

interface Candidate {
  label: string;
  value: unknown;
  /** Kept even when another candidate already fails the same keyword. */
  always?: boolean;
}

export class SchemaCases {
  readonly ajv: Ajv;
  readonly #compiled = new Map<Schema, ValidateFunction>();
  /** Property schemas already swept in full, per encoding (many routes share `pageQuery`…). */
  readonly #swept = new Map<Encoding, Set<Schema>>();

  constructor(sharedSchemas: Schema[] = []) {
    // As Fastify's compiler sets it up, plus the app's customOptions (server/app.ts).
    this.ajv = new Ajv({
      coerceTypes: "array",
      useDefaults: true,
      removeAdditional: true,
      allErrors: false,
      strict: false,
    });
    addMastodonKeywords(this.ajv);
    for (const schema of sharedSchemas) this.ajv.addSchema(schema);
  }

  #validator(schema: Schema): ValidateFunction {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.#compiled.set(schema, validate);
    }
    return validate;
  }

  /** Whether the server accepts `value` for `schema` (validated on a copy; coercion mutates). */
  accepts(schema: Schema, value: unknown): { ok: boolean; keyword?: string } {
    const validate = this.#validator(schema);
    const ok = validate(structuredClone(value)) as boolean;
    return { ok, keyword: validate.errors?.[0]?.keyword };
  }

  /** A value the schema accepts; throws when it cannot think of one. */
  example(schema: Schema): unknown {
    for (const value of this.#exampleCandidates(schema)) {
      if (this.accepts(wrap(schema), { value }).ok) return value;
    }
    throw new Error(
      `no valid example for ${JSON.stringify(schema)}; teach test/helpers/schema-cases.ts one`,
    );
  }

  *#exampleCandidates(schema: Schema): Generator<unknown> {
    if (schema.const !== undefined) yield schema.const;
    if (Array.isArray(schema.enum)) yield schema.enum[0];
    if (schema["x-boolean"]) yield true;
    if (schema["x-id"]) yield "1";
    for (const branch of schema.anyOf ?? schema.oneOf ?? []) yield* this.#exampleCandidates(branch);
    const types = typesOf(schema);
    if (types.includes("string")) {
      const length = Math.max(1, schema.minLength ?? 0);
      yield "x".repeat(length);
      yield "1".repeat(length);
      for (const text of ["https://example.org/", "example@example.org", "en", "a".repeat(43)])
        yield text;
    }
    if (types.includes("integer") || types.includes("number")) yield schema.minimum ?? 1;
    if (types.includes("boolean")) yield true;
    if (types.includes("array")) {
      const items = schema.items && this.example(schema.items);
      yield Array.from({ length: schema.minItems ?? (items === undefined ? 0 : 1) }, () => items);
    }
    if (types.includes("object") || schema.properties) yield this.requiredExample(schema);
    if (types.includes("null")) yield null;
    if (types.length === 0) yield "x";
  }

  /** Valid values for the required properties of an object schema. */
  requiredExample(schema: Schema | undefined): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const name of (schema?.required ?? []) as string[]) {
      result[name] = this.example(schema!.properties?.[name] ?? {});
    }
    return result;
  }

  #badCandidates(schema: Schema): Candidate[] {
    const candidates: Candidate[] = [
      { label: "a non-numeric string", value: "abc" },
      { label: "a junk boolean", value: "maybe" },
      { label: "a string", value: "x" },
      { label: "an object", value: AN_OBJECT },
      { label: "a list of objects", value: [AN_OBJECT] },
      { label: "a list of strings", value: ["x"] },
      { label: "a fraction", value: 1.5 },
      { label: "a negative number", value: -1 },
    ];
    if (schema["x-id"]) {
      candidates.push({
        label: "an id beyond 64 bits",
        value: "9223372036854775808",
        always: true,
      });
    }
    if (typeof schema.maxLength === "number") {
      candidates.push({ label: "too long", value: "x".repeat(schema.maxLength + 1), always: true });
    }
    if (typeof schema.minLength === "number" && schema.minLength > 0) {
      candidates.push({ label: "too short", value: "x".repeat(schema.minLength - 1) });
    }
    if (typeof schema.maximum === "number")
      candidates.push({ label: "too large", value: schema.maximum + 1 });
    if (typeof schema.minimum === "number")
      candidates.push({ label: "too small", value: schema.minimum - 1 });
    if (Array.isArray(schema.enum))
      candidates.push({ label: "not one of the choices", value: "not-a-choice" });
    if (typeof schema.maxItems === "number" && schema.items) {
      const item = this.example(schema.items);
      candidates.push({
        label: "too many items",
        value: Array.from({ length: schema.maxItems + 1 }, () => item),
        always: true,
      });
    }
    return candidates;
  }

  /**
   * For every property of an object schema (and of its nested objects), inputs that must be
   * refused, as they arrive after `encoding`. One case per property, failing keyword and kind
   * of value (so both "abc" and an object where an integer is expected). A property schema
   * shared with a route swept before (the same object, like `pageQuery.limit`) gets one case
   * only: enough to show this route validates it, without repeating the whole list.
   */
  badCases(schema: Schema | undefined, encoding: Encoding): BadCase[] {
    if (!schema?.properties) return [];
    const base = this.requiredExample(schema);
    const cases: BadCase[] = [];
    const swept = this.#swept.get(encoding) ?? new Set<Schema>();
    this.#swept.set(encoding, swept);
    const visit = (properties: Record<string, Schema>, prefix: string[]) => {
      for (const [name, property] of Object.entries(properties)) {
        const path = [...prefix, name];
        if (isAnything(property)) continue;
        const seen = new Set<string>();
        const once = swept.has(property);
        swept.add(property);
        for (const candidate of this.#badCandidates(property)) {
          if (once && seen.size > 0) break;
          const input = withValue(base, path, candidate.value);
          const verdict = this.accepts(schema, roundTrip(input, encoding));
          if (verdict.ok) continue;
          const kind = Array.isArray(candidate.value) ? "array" : typeof candidate.value;
          const key = `${verdict.keyword}:${kind}`;
          if (seen.has(key) && !candidate.always) continue;
          seen.add(key);
          cases.push({ path, label: candidate.label, input });
        }
        if (property.properties && prefix.length < 2) visit(property.properties, path);
      }
    };
    visit(schema.properties, []);
    return cases;
  }

  /** Paths of the `x-boolean` properties of an object schema, nested ones included. */
  booleanPaths(schema: Schema | undefined, prefix: string[] = []): string[][] {
    const paths: string[][] = [];
    for (const [name, property] of Object.entries(
      (schema?.properties ?? {}) as Record<string, Schema>,
    )) {
      if (property["x-boolean"]) paths.push([...prefix, name]);
      else if (property.properties) paths.push(...this.booleanPaths(property, [...prefix, name]));
    }
    return paths;
  }
}

function wrap(schema: Schema): Schema {
  return { type: "object", properties: { value: schema } };
}

function typesOf(schema: Schema): string[] {
  return schema.type === undefined ? [] : [schema.type].flat();
}

/** `{}`: the schema takes anything (a file field, for instance), so nothing is wrong for it. */
function isAnything(schema: Schema): boolean {
  return Object.keys(schema).filter((key) => !["description", "title"].includes(key)).length === 0;
}

export function withValue(
  base: Record<string, unknown>,
  path: string[],
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(base);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    node[key] = typeof node[key] === "object" && node[key] !== null ? node[key] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
  return copy;
}

/** What the server sees after `input` went through `encoding`. */
export function roundTrip(input: Record<string, unknown>, encoding: Encoding): unknown {
  if (encoding === "json") return structuredClone(input);
  return qs.parse(qs.stringify(input), { arrayLimit: 100, depth: 5, parameterLimit: 1000 });
}

/** Form fields as name/value pairs, nested the Rails way (`a[b]`, `list[]`). */
export function formPairs(
  input: Record<string, unknown>,
  arrayFormat: "indices" | "brackets" = "indices",
): [string, string][] {
  return qs
    .stringify(input, { arrayFormat })
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf("=");
      const name = at === -1 ? pair : pair.slice(0, at);
      const value = at === -1 ? "" : pair.slice(at + 1);
      return [decodeURIComponent(name), decodeURIComponent(value.replaceAll("+", " "))];
    });
}
