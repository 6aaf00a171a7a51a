import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../errors.ts";

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** What a failed check says about its field, in words a person reads. */
function describe(error: AjvError | undefined): string {
  if (!error) return "is invalid";
  const { params } = error;
  switch (error.keyword) {
    case "required":
      return "can't be blank";
    case "type": {
      const types = Array.isArray(params.type) ? params.type : String(params.type).split(",");
      return `must be ${types.join(" or ")}`;
    }
    case "enum":
      return `must be one of: ${(params.allowedValues as unknown[]).join(", ")}`;
    case "additionalProperties":
      return "is not a known parameter";
    default:
      return error.message ?? "is invalid";
  }
}

function fieldOf(error: AjvError | undefined, fallback: string): string {
  if (!error) return fallback;
  const path = error.instancePath.replace(/^\//, "").replaceAll("/", ".");
  const leaf = (error.params.missingProperty ?? error.params.additionalProperty) as
    | string
    | undefined;
  return [path, leaf].filter(Boolean).join(".") || fallback;
}

/**
 * Mastodon's answers to bad input: a bad path parameter names no record (404), a bad query
 * parameter is a bad request (400), a bad body fails validation (422).
 */
function validationMessage(error: FastifyError): { status: number; message: string } {
  const first = error.validation?.[0] as AjvError | undefined;
  const context = error.validationContext ?? "body";
  if (context === "params") return { status: 404, message: "Record not found" };
  const field = fieldOf(first, context);
  if (context === "body")
    return { status: 422, message: `Validation failed: ${field} ${describe(first)}` };
  if (first?.keyword === "required") {
    return { status: 400, message: `param is missing or the value is empty: ${field}` };
  }
  return { status: 400, message: `${field} ${describe(first)}` };
}

/** A message for a framework 4xx error; its own when it has one, else the status's name. */
function clientMessage(status: number, error: Error): string {
  return error.message?.trim() || STATUS_CODES[status] || "Bad request";
}

/**
 * Errors the router raises before any route runs (a malformed or overlong URL). Passed to
 * Fastify as `frameworkErrors`, so they get the same `{"error": "..."}` body as everything else.
 */
export function frameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    reply.status(414).send({ error: "The URL is too long" });
    return;
  }
  if (error.code === "FST_ERR_BAD_URL") {
    reply.status(400).send({ error: "The URL is malformed" });
    return;
  }
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  reply.status(status).send({ error: clientMessage(status, error) });
}

/**
 * One place turns errors into Mastodon's `{"error": "..."}` bodies. Only ApiError messages and
 * framework 4xx messages reach the client; anything else is logged and answered with a bare 500.
 */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.cause) request.log.info({ cause: error.cause }, error.message);
      return reply.status(error.status).send({ error: error.message, ...error.details });
    }
    if (error.validation) {
      const { status, message } = validationMessage(error);
      return reply.status(status).send({ error: message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: clientMessage(status, error) });
    }
    request.log.error({ err: error }, "request failed");
    return reply.status(500).send({ error: "Internal server error" });
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.status(404).send({ error: "Record not found" });
  });
});
