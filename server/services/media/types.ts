// Which files an attachment may be, recognized by their first bytes rather than by the type the
// client declares (apps send application/octet-stream as often as not, and a declared type is
// no reason to serve a file as one).
import type { MediaType } from "../../../db/schema.ts";

export interface MediaKind {
  type: Exclude<MediaType, "unknown" | "gifv">;
  contentType: string;
  extension: string;
}

const kind = (type: MediaKind["type"], contentType: string, extension: string): MediaKind => ({
  type,
  contentType,
  extension,
});

export const IMAGE_KINDS = {
  jpeg: kind("image", "image/jpeg", "jpg"),
  png: kind("image", "image/png", "png"),
  gif: kind("image", "image/gif", "gif"),
  webp: kind("image", "image/webp", "webp"),
  avif: kind("image", "image/avif", "avif"),
};

const MP4 = kind("video", "video/mp4", "mp4");
const QUICKTIME = kind("video", "video/quicktime", "mov");
const WEBM = kind("video", "video/webm", "webm");
const OGG_VIDEO = kind("video", "video/ogg", "ogv");
const M4A = kind("audio", "audio/mp4", "m4a");
const WEBM_AUDIO = kind("audio", "audio/webm", "weba");
const OGG_AUDIO = kind("audio", "audio/ogg", "oga");
const MP3 = kind("audio", "audio/mpeg", "mp3");
const AAC = kind("audio", "audio/aac", "aac");
const WAV = kind("audio", "audio/wav", "wav");
const FLAC = kind("audio", "audio/flac", "flac");

/** What /api/v2/instance advertises: the types an upload is recognized as, and their aliases. */
export const SUPPORTED_MIME_TYPES = [
  ...Object.values(IMAGE_KINDS).map((image) => image.contentType),
  "video/mp4",
  "video/quicktime",
  "video/webm",
  "video/ogg",
  "audio/mp4",
  "audio/m4a",
  "audio/x-m4a",
  "audio/webm",
  "audio/ogg",
  "audio/vorbis",
  "audio/opus",
  "audio/mpeg",
  "audio/mp3",
  "audio/aac",
  "audio/wav",
  "audio/wave",
  "audio/x-wav",
  "audio/vnd.wave",
  "audio/flac",
];

const ascii = (data: Buffer, start: number, end: number) => data.subarray(start, end).toString("latin1");

/** ISO base media files (MP4, QuickTime, M4A, AVIF) by their ftyp brand. */
function isoKind(data: Buffer, declaredAudio: boolean): MediaKind | null {
  const box = ascii(data, 4, 8);
  if (box !== "ftyp") {
    // Old QuickTime files begin with a movie or data atom instead.
    return ["moov", "mdat", "wide", "free", "skip", "pnot"].includes(box) ? QUICKTIME : null;
  }
  const brand = ascii(data, 8, 12);
  if (brand === "avif" || brand === "avis") return IMAGE_KINDS.avif;
  if (brand === "qt  ") return QUICKTIME;
  if (brand === "M4A " || brand === "M4B ") return M4A;
  if (brand === "heic" || brand === "heix" || brand === "mif1" || brand === "msf1") return null;
  return declaredAudio ? M4A : MP4;
}

/** MPEG audio: an ID3 tag, or a frame header (layer III for MP3, layer bits 00 for AAC's ADTS). */
function mpegAudioKind(data: Buffer): MediaKind | null {
  if (ascii(data, 0, 3) === "ID3") return MP3;
  if (data.length < 2 || data[0] !== 0xff || (data[1]! & 0xe0) !== 0xe0) return null;
  return (data[1]! & 0x06) === 0 ? AAC : MP3;
}

/**
 * What a file is, from its first bytes; null for anything that is not an image, video or audio
 * file we take. `declaredType` only settles containers that hold either sound or pictures
 * (WebM, MP4): a recording sent as audio/webm is audio.
 */
export function sniffMediaKind(data: Buffer, declaredType: string): MediaKind | null {
  if (data.length < 12) return null;
  const declaredAudio = declaredType.toLowerCase().startsWith("audio/");
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return IMAGE_KINDS.jpeg;
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return IMAGE_KINDS.png;
  }
  const head = ascii(data, 0, 6);
  if (head === "GIF87a" || head === "GIF89a") return IMAGE_KINDS.gif;
  if (ascii(data, 0, 4) === "RIFF") {
    const form = ascii(data, 8, 12);
    if (form === "WEBP") return IMAGE_KINDS.webp;
    if (form === "WAVE") return WAV;
    return null;
  }
  if (ascii(data, 0, 4) === "fLaC") return FLAC;
  if (ascii(data, 0, 4) === "OggS") {
    // The first page names the codec: Theora is video; Vorbis, Opus and FLAC are sound.
    return ascii(data, 0, Math.min(data.length, 512)).includes("theora") ? OGG_VIDEO : OGG_AUDIO;
  }
  if (data[0] === 0x1a && data[1] === 0x45 && data[2] === 0xdf && data[3] === 0xa3) {
    // EBML: WebM names its doctype early; other Matroska files are not taken.
    if (!ascii(data, 0, Math.min(data.length, 64)).includes("webm")) return null;
    return declaredAudio ? WEBM_AUDIO : WEBM;
  }
  return isoKind(data, declaredAudio) ?? mpegAudioKind(data);
}

/** A sibling's declared media type (on its Document) as an attachment type. */
export function typeOfContentType(contentType: string | null): MediaType {
  const type = (contentType ?? "").toLowerCase();
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("video/")) return "video";
  if (type.startsWith("audio/")) return "audio";
  return "unknown";
}
