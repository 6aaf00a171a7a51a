import type { FastifyInstance } from "fastify";
import type { ProfileField, Visibility } from "../../../../../db/schema.ts";
import { type UploadedFile, isUploadedFile } from "../../../../plugins/body.ts";
import { userOf } from "../../../../plugins/auth.ts";
import { unprocessable } from "../../../../errors.ts";
import { bool, errorResponse } from "../../../../schemas/common.ts";
import { ref } from "../../../../schemas/entities.ts";
import { credentialAccount } from "../../../../services/accounts/queries.ts";
import { updateProfile } from "../../../../services/accounts/profile.ts";

const field = {
  type: "object",
  properties: { name: { type: "string", maxLength: 2000 }, value: { type: "string", maxLength: 2000 } },
} as const;

const updateBody = {
  type: "object",
  properties: {
    display_name: { type: "string", maxLength: 1000 },
    note: { type: "string", maxLength: 10000 },
    locked: bool,
    bot: bool,
    discoverable: bool,
    indexable: bool,
    hide_collections: bool,
    // Rails clients send fields as an array, or as an object keyed "0".."3".
    fields_attributes: {
      anyOf: [
        { type: "array", maxItems: 20, items: field },
        { type: "object", maxProperties: 20, additionalProperties: field },
      ],
    },
    source: {
      type: "object",
      properties: {
        privacy: { type: "string", enum: ["public", "unlisted", "private", "direct"] },
        sensitive: bool,
        language: { type: ["string", "null"], maxLength: 10 },
        // Hallway's extension: new posts are local-only unless the post says otherwise.
        local_only: bool,
      },
    },
    avatar: {},
    header: {},
  },
} as const;

interface UpdateBody {
  display_name?: string;
  note?: string;
  locked?: boolean;
  bot?: boolean;
  discoverable?: boolean;
  indexable?: boolean;
  fields_attributes?: { name?: string; value?: string }[] | Record<string, { name?: string; value?: string }>;
  source?: { privacy?: Visibility; sensitive?: boolean; language?: string | null; local_only?: boolean };
  avatar?: unknown;
  header?: unknown;
}

function fieldsFrom(value: UpdateBody["fields_attributes"]): ProfileField[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value)
    ? value
    : Object.keys(value)
        .sort((a, b) => Number(a) - Number(b))
        .map((key) => value[key]!);
  return list.map((item) => ({ name: item.name ?? "", value: item.value ?? "" }));
}

function fileFrom(name: string, value: unknown): UploadedFile | undefined {
  // No file: absent, null in JSON, or an empty form field.
  if (value === undefined || value === null || value === "") return undefined;
  if (!isUploadedFile(value)) throw unprocessable(`${name} must be an uploaded image file`);
  return value;
}

export default async function credentialsRoutes(app: FastifyInstance) {
  app.get(
    "/api/v1/accounts/verify_credentials",
    {
      config: { auth: "user", scopes: ["read:accounts", "profile"] },
      schema: { response: { 200: ref("CredentialAccount"), "4xx": errorResponse } },
    },
    async (request) => credentialAccount(app.context, userOf(request).account),
  );

  app.patch(
    "/api/v1/accounts/update_credentials",
    {
      config: { auth: "user", scopes: ["write:accounts"] },
      schema: { body: updateBody, response: { 200: ref("CredentialAccount"), "4xx": errorResponse } },
    },
    async (request) => {
      const { account } = userOf(request);
      const body = (request.body ?? {}) as UpdateBody;
      await updateProfile(app.context, account, {
        displayName: body.display_name,
        note: body.note,
        locked: body.locked,
        bot: body.bot,
        discoverable: body.discoverable,
        indexable: body.indexable,
        fields: fieldsFrom(body.fields_attributes),
        avatar: fileFrom("avatar", body.avatar),
        header: fileFrom("header", body.header),
        source: body.source && {
          privacy: body.source.privacy,
          sensitive: body.source.sensitive,
          language: body.source.language,
          localOnly: body.source.local_only,
        },
      });
      return credentialAccount(app.context, account);
    },
  );
}
