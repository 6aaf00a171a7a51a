import sharp from "sharp";
import { ApiError } from "../../errors.ts";

export interface ProcessedImage {
  data: Buffer;
  contentType: string;
  extension: string;
  width: number;
  height: number;
}

const OUTPUT: Record<string, { contentType: string; extension: string }> = {
  png: { contentType: "image/png", extension: "png" },
  webp: { contentType: "image/webp", extension: "webp" },
  gif: { contentType: "image/png", extension: "png" },
  jpeg: { contentType: "image/jpeg", extension: "jpg" },
};

/**
 * Fits an uploaded picture into a box (avatars 400×400, headers 1500×500), cropping to fill it
 * as Mastodon does. Re-encoding drops EXIF and other metadata; anything sharp cannot read as an
 * image is refused.
 */
export async function fitImage(
  input: Buffer,
  box: { width: number; height: number },
): Promise<ProcessedImage> {
  let format: string | undefined;
  try {
    format = (await sharp(input).metadata()).format;
  } catch (error) {
    // sharp's message is the cause, logged and never sent (unprocessable()'s details would be).
    throw new ApiError(422, "Validation failed: the file is not an image", { cause: error });
  }
  const output = OUTPUT[format ?? ""] ?? OUTPUT.jpeg!;
  const pipeline = sharp(input, { animated: false })
    .rotate()
    .resize({ ...box, fit: "cover", withoutEnlargement: true });
  const encoded =
    output.extension === "png"
      ? pipeline.png()
      : output.extension === "webp"
        ? pipeline.webp()
        : pipeline.jpeg({ quality: 85 });
  try {
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { data, contentType: output.contentType, extension: output.extension, ...info };
  } catch (error) {
    throw new ApiError(422, "Validation failed: the image could not be processed", {
      cause: error,
    });
  }
}
