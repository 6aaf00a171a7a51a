import type { FastifyInstance, FastifyRequest } from "fastify";
import fastifyMultipart from "@fastify/multipart";
import fp from "fastify-plugin";
import qs from "qs";
import type { Config } from "../config.ts";
import { ApiError, badRequest, unprocessable } from "../errors.ts";

/** An uploaded file, as route handlers see it in the request body. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return (
    typeof value === "object" && value !== null && Buffer.isBuffer((value as UploadedFile).data)
  );
}

const BODY_LIMIT = 1024 * 1024;
const FIELD_LIMIT = 1000;
const ARRAY_LIMIT = 100;

// Rails-style nesting: `media_ids[]=1&media_ids[]=2` and `fields_attributes[0][name]=Campus`.
// Too many fields or list items are refused rather than silently dropped, so a request is
// never applied with part of what was sent.
export function parseFormFields(text: string): Record<string, unknown> {
  try {
    return qs.parse(text, {
      arrayLimit: ARRAY_LIMIT,
      depth: 5,
      parameterLimit: FIELD_LIMIT,
      allowDots: false,
      throwOnLimitExceeded: true,
    });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    if (/array/i.test(error.message)) {
      throw unprocessable(`a list has more than ${ARRAY_LIMIT} items`);
    }
    throw new ApiError(413, `The form has more than ${FIELD_LIMIT} fields`);
  }
}

/** Fields of the route's body schema; only these may carry a file in a multipart body. */
function declaredFields(request: FastifyRequest): Set<string> {
  const body = request.routeOptions.schema?.body as
    | { properties?: Record<string, unknown> }
    | undefined;
  return new Set(Object.keys(body?.properties ?? {}));
}

/** @fastify/multipart and busboy errors, as answers that say what was wrong with the request. */
function multipartError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const { code, statusCode } = error as { code?: string; statusCode?: number };
  switch (code) {
    case "FST_REQ_FILE_TOO_LARGE":
      return unprocessable("the file is too large");
    case "FST_PARTS_LIMIT":
    case "FST_FIELDS_LIMIT":
    case "FST_FILES_LIMIT":
      return new ApiError(413, "The form has too many fields or files", { cause: error });
    default:
      if (statusCode && statusCode >= 400 && statusCode < 500) {
        return new ApiError(statusCode, (error as Error).message, { cause: error });
      }
      // busboy's own complaints ("Unexpected end of form", "Malformed part header"…).
      return new ApiError(400, "The multipart body is malformed", { cause: error });
  }
}

/**
 * Accepts the three body encodings Mastodon clients send: JSON, form-urlencoded and multipart.
 * Form and multipart fields are nested the Rails way, so a schema sees the same shape for all.
 * Anything else is refused with 415, unless it is empty: some clients POST with a content type
 * and no body at all (favourite, follow…), and that is a request without parameters.
 */
export const bodyPlugin = fp(async (app: FastifyInstance, options: { config: Config }) => {
  // Fastify's own JSON parsing (secure-json-parse), set to drop `__proto__` and `constructor`
  // keys rather than refuse the body; an empty body is a request without parameters.
  const parseJson = app.getDefaultJsonParser("remove", "remove");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: BODY_LIMIT },
    (request, body, done) => {
      const text = String(body);
      if (text.trim() === "") return done(null, {});
      parseJson(request, text, (error, parsed) => {
        if (error) done(badRequest("The request body is not valid JSON"), undefined);
        else done(null, parsed);
      });
    },
  );

  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: BODY_LIMIT },
    (_request, body, done) => {
      try {
        done(null, parseFormFields(String(body)));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );

  app.addContentTypeParser(
    "*",
    { parseAs: "buffer", bodyLimit: BODY_LIMIT },
    (request, body, done) => {
      if ((body as Buffer).length === 0) return done(null, undefined);
      const type = String(request.headers["content-type"] ?? "")
        .split(";")[0]!
        .trim();
      done(
        new ApiError(
          415,
          `Unsupported media type ${JSON.stringify(type)}: send JSON, a form or multipart/form-data`,
        ),
        undefined,
      );
    },
  );

  await app.register(fastifyMultipart, {
    limits: {
      fileSize: Math.max(options.config.maxImageBytes, options.config.maxVideoBytes),
      files: 10,
      fields: 200,
      fieldSize: BODY_LIMIT,
      parts: 210,
    },
  });

  // Multipart bodies are read before validation so that route schemas apply to them too.
  app.addHook("preValidation", async (request: FastifyRequest) => {
    if (!request.isMultipart()) {
      // No body at all is a request without parameters, as in Rails: the route's own checks
      // say what is missing ("Text can't be blank"), not "body must be object".
      if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
      return;
    }
    const fields = new URLSearchParams();
    const files: Record<string, UploadedFile> = {};
    const accepted = declaredFields(request);
    try {
      for await (const part of request.parts()) {
        if (part.type === "file") {
          // A file is buffered only where the route takes one, so nobody fills memory elsewhere.
          if (!accepted.has(part.fieldname)) {
            throw unprocessable(`${part.fieldname} does not take a file`);
          }
          files[part.fieldname] = {
            filename: part.filename,
            mimetype: part.mimetype,
            data: await part.toBuffer(),
          };
        } else {
          // A value cut at the size limit is not what was sent; refuse it rather than store half.
          if (part.valueTruncated) throw new ApiError(413, `${part.fieldname} is too large`);
          fields.append(part.fieldname, String(part.value));
        }
      }
    } catch (error) {
      throw multipartError(error);
    }
    request.body = { ...parseFormFields(fields.toString()), ...files };
  });
});
