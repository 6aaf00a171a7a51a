// Pictures of attachments, as Mastodon makes them: the original scaled down to at most 2560×1440
// worth of pixels, a small preview of at most 640×360 worth, and a blurhash of the preview.
// Re-encoding drops EXIF and every other piece of metadata (GPS positions included) after the
// EXIF orientation has been applied to the pixels.
import { encode } from "blurhash";
import sharp, { type Metadata, type Sharp } from "sharp";
import type { MediaSize } from "../../../db/schema.ts";
import { ApiError, unprocessable } from "../../errors.ts";

/** Mastodon's limits: the original's pixel count, the preview's, and the largest upload. */
export const ORIGINAL_MAX_PIXELS = 3_686_400;
export const SMALL_MAX_PIXELS = 230_400;
export const IMAGE_MATRIX_LIMIT = 16_777_216;
const BLURHASH_COMPONENTS = 4;

export interface Rendition {
  data: Buffer;
  contentType: string;
  extension: string;
  width: number;
  height: number;
}

export interface ProcessedImage {
  original: Rendition;
  small: Rendition;
  blurhash: string;
}

export interface ProcessedPreview {
  small: Rendition;
  blurhash: string;
}

/** Mastodon's meta entry of a rendition: {width, height, size: "WxH", aspect}. */
export function mediaSize(width: number, height: number): MediaSize {
  return { width, height, size: `${width}x${height}`, aspect: width / height };
}

/** The largest size of the same shape within `maxPixels` (never larger than it is). */
export function fitPixels(width: number, height: number, maxPixels: number): { width: number; height: number } {
  if (width * height <= maxPixels) return { width, height };
  const scale = Math.sqrt(maxPixels / (width * height));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

interface Inspected {
  format: string;
  /** Width and height once the EXIF orientation is applied (one frame of an animation). */
  width: number;
  height: number;
  animated: boolean;
  hasAlpha: boolean;
}

const READABLE = new Set(["jpeg", "png", "gif", "webp", "heif"]);

async function inspect(input: Buffer): Promise<Inspected> {
  let metadata: Metadata;
  try {
    metadata = await sharp(input).metadata();
  } catch (error) {
    // sharp's message is the cause, logged and never sent.
    throw new ApiError(422, "Validation failed: File content type is invalid, File is invalid", { cause: error });
  }
  if (!READABLE.has(metadata.format)) throw unprocessable("File content type is invalid");
  const frameHeight = metadata.pageHeight ?? metadata.height;
  if (metadata.width * frameHeight > IMAGE_MATRIX_LIMIT) {
    throw unprocessable(`The image is larger than ${IMAGE_MATRIX_LIMIT} pixels`);
  }
  const animated = (metadata.pages ?? 1) > 1 && (metadata.format === "gif" || metadata.format === "webp");
  const oriented = animated ? { width: metadata.width, height: frameHeight } : metadata.autoOrient;
  return {
    format: metadata.format,
    width: oriented.width,
    height: oriented.height,
    animated,
    hasAlpha: metadata.hasAlpha,
  };
}

/** The format an original is kept in: the uploaded one where apps show it, else PNG or JPEG. */
function encodeOriginal(pipeline: Sharp, image: Inspected): { pipeline: Sharp; contentType: string; extension: string } {
  switch (image.format) {
    case "jpeg":
      return { pipeline: pipeline.jpeg({ quality: 90, mozjpeg: true }), contentType: "image/jpeg", extension: "jpg" };
    case "webp":
      return { pipeline: pipeline.webp({ quality: 90 }), contentType: "image/webp", extension: "webp" };
    case "gif":
      // An animation stays one; a still GIF becomes a PNG, as in Mastodon.
      return image.animated
        ? { pipeline: pipeline.gif(), contentType: "image/gif", extension: "gif" }
        : { pipeline: pipeline.png(), contentType: "image/png", extension: "png" };
    case "png":
      return { pipeline: pipeline.png(), contentType: "image/png", extension: "png" };
    default:
      // AVIF and HEIF are not shown by every app.
      return image.hasAlpha
        ? { pipeline: pipeline.png(), contentType: "image/png", extension: "png" }
        : { pipeline: pipeline.jpeg({ quality: 90, mozjpeg: true }), contentType: "image/jpeg", extension: "jpg" };
  }
}

async function render(pipeline: Sharp, contentType: string, extension: string): Promise<Rendition> {
  try {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { data, contentType, extension, width: info.width, height: info.pageHeight ?? info.height };
  } catch (error) {
    throw new ApiError(422, "Validation failed: The image could not be processed", { cause: error });
  }
}

/** A still preview of at most SMALL_MAX_PIXELS (the first frame of an animation), as WebP. */
async function smallOf(input: Buffer, width: number, height: number): Promise<Rendition> {
  const size = fitPixels(width, height, SMALL_MAX_PIXELS);
  return render(
    sharp(input).autoOrient().resize(size.width, size.height, { fit: "fill" }).webp({ quality: 80 }),
    "image/webp",
    "webp",
  );
}

/** The blurhash of a picture, computed on a copy of at most 32×32 (the result is as blurry). */
export async function blurhashOf(input: Buffer): Promise<string> {
  const { data, info } = await sharp(input)
    .resize(32, 32, { fit: "inside" })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return encode(new Uint8ClampedArray(data), info.width, info.height, BLURHASH_COMPONENTS, BLURHASH_COMPONENTS);
}

/** An uploaded picture (or a sibling's) → the original to serve, its preview and blurhash. */
export async function processImage(input: Buffer): Promise<ProcessedImage> {
  const image = await inspect(input);
  const size = fitPixels(image.width, image.height, ORIGINAL_MAX_PIXELS);
  // Animations carry no EXIF orientation; pictures are turned upright before anything else.
  const base = image.animated ? sharp(input, { animated: true }) : sharp(input).autoOrient();
  const resized =
    size.width === image.width && size.height === image.height
      ? base
      : base.resize(size.width, size.height, { fit: "fill" });
  const encoded = encodeOriginal(resized, image);
  const original = await render(encoded.pipeline, encoded.contentType, encoded.extension);
  const small = await smallOf(original.data, original.width, original.height);
  return { original, small, blurhash: await blurhashOf(small.data) };
}

/** A picture given as the preview of a video or audio file (Mastodon's `thumbnail`). */
export async function processPreview(input: Buffer): Promise<ProcessedPreview> {
  const image = await inspect(input);
  const small = await smallOf(input, image.width, image.height);
  return { small, blurhash: await blurhashOf(small.data) };
}
