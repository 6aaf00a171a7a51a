import type { FastifyInstance, FastifyRequest } from "fastify";
import fastifyMultipart from "@fastify/multipart";
import fp from "fastify-plugin";
import qs from "qs";
import type { Config } from "../config.ts";

/** An uploaded file, as route handlers see it in the request body. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === "object" && value !== null && Buffer.isBuffer((value as UploadedFile).data);
}

// Rails-style nesting: `media_ids[]=1&media_ids[]=2` and `fields_attributes[0][name]=Campus`.
export function parseFormFields(text: string): Record<string, unknown> {
  return qs.parse(text, { arrayLimit: 100, depth: 5, parameterLimit: 1000, allowDots: false });
}

/**
 * Accepts the three body encodings Mastodon clients send: JSON, form-urlencoded and multipart.
 * Form and multipart fields are nested the Rails way, so a schema sees the same shape for all.
 */
export const bodyPlugin = fp(async (app: FastifyInstance, options: { config: Config }) => {
  // Some clients POST with a JSON content type and no body at all (favourite, follow…).
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: 1024 * 1024 },
    (_request, body, done) => {
      const text = String(body);
      if (text.trim() === "") return done(null, {});
      try {
        done(null, JSON.parse(text));
      } catch {
        const error = new Error("The request body is not valid JSON") as Error & { statusCode: number };
        error.statusCode = 400;
        done(error, undefined);
      }
    },
  );

  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 1024 * 1024 },
    (_request, body, done) => done(null, parseFormFields(String(body))),
  );

  await app.register(fastifyMultipart, {
    limits: {
      fileSize: Math.max(options.config.maxImageBytes, options.config.maxVideoBytes),
      files: 10,
      fields: 200,
      fieldSize: 1024 * 1024,
      parts: 210,
    },
  });

  // Multipart bodies are read before validation so that route schemas apply to them too.
  app.addHook("preValidation", async (request: FastifyRequest) => {
    if (!request.isMultipart()) return;
    const fields = new URLSearchParams();
    const files: Record<string, UploadedFile> = {};
    for await (const part of request.parts()) {
      if (part.type === "file") {
        files[part.fieldname] = {
          filename: part.filename,
          mimetype: part.mimetype,
          data: await part.toBuffer(),
        };
      } else {
        fields.append(part.fieldname, String(part.value));
      }
    }
    request.body = { ...parseFormFields(fields.toString()), ...files };
  });
});
