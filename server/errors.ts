/**
 * The one error type of the API: an HTTP status, a message that is safe to show to the client,
 * and optionally the internal cause, which is logged and never sent.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.status = status;
    this.details = options.details;
  }
}

// Mastodon's wording, which some clients show as it is.
export const notFound = (message = "Record not found") => new ApiError(404, message);
export const unauthorized = (message = "The access token is invalid") => new ApiError(401, message);
export const forbidden = (message = "This action is not allowed") => new ApiError(403, message);
export const unprocessable = (message: string, details?: Record<string, unknown>) =>
  new ApiError(422, message.startsWith("Validation failed") ? message : `Validation failed: ${message}`, {
    details,
  });
export const badRequest = (message: string) => new ApiError(400, message);
