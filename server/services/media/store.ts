import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/**
 * Where uploaded files live. Keys are unguessable, so a file's URL works as a capability: apps
 * load images without sending a token. Local disk is the only store today; an S3-compatible
 * one implements the same three methods.
 */
export interface MediaStore {
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Path below /system/ for a stored key. */
  publicPath(key: string): string;
}

export function newMediaKey(prefix: string, extension: string): string {
  const token = randomBytes(16).toString("hex");
  return `${prefix}/${token.slice(0, 2)}/${token}.${extension}`;
}

export class LocalDiskStore implements MediaStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  #pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(`${this.root}/`)) throw new Error(`media key escapes the store: ${key}`);
    return path;
  }

  async put(key: string, data: Buffer): Promise<void> {
    const path = this.#pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
  }

  async delete(key: string): Promise<void> {
    await rm(this.#pathOf(key), { force: true });
  }

  publicPath(key: string): string {
    return key;
  }
}
