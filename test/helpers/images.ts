// Pictures for media tests, made with sharp as a camera would store them.
import sharp from "sharp";

/**
 * A 3000×2000 JPEG as a phone held upright stores it: the pixels lie on their side (red on the
 * left, blue on the right, a gradient between) and the EXIF orientation (6) says to turn them
 * clockwise, so that red is on top. It also carries EXIF tags that must not leak.
 */
export async function sidewaysPhoto(): Promise<Buffer> {
  const width = 3000;
  const height = 2000;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      const right = x / (width - 1);
      pixels[offset] = Math.round(255 * (1 - right));
      pixels[offset + 1] = Math.round((y / (height - 1)) * 60);
      pixels[offset + 2] = Math.round(255 * right);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .withExif({ IFD0: { Artist: "Secret Camera Owner", Copyright: "GPS 48.8584 N 2.2945 E" } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A small picture of one colour. */
export async function plainPicture(width: number, height: number, colour: string, format: "png" | "jpeg" = "png"): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: colour } });
  return (format === "png" ? image.png() : image.jpeg()).toBuffer();
}

/** The first bytes of an MP4 file ("ftyp" box, brand isom) followed by `size` bytes of data. */
export function mp4Like(size: number): Buffer {
  return Buffer.concat([Buffer.from("000000186674797069736f6d0000020069736f6d", "hex"), Buffer.alloc(size, 1)]);
}
