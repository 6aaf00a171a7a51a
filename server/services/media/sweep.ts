// Media nobody posts are not kept: an upload left unattached for a day goes (Mastodon keeps
// them as long, so that "delete and redraft" can post them again), and a cached copy of a
// sibling's attachment goes as soon as its post is gone.
import type { Db } from "../../../db/repositories/types.ts";
import type { AppContext } from "../../context.ts";

const KEEP_UNATTACHED_MS = 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
const BATCH = 100;

const lastSweep = new WeakMap<AppContext, number>();

/**
 * Takes a post's attachments off it (inside the caller's transaction) when the post is deleted:
 * they are the author's unattached uploads again, for a day.
 */
export async function detachStatusMedia(trx: Db, statusId: string): Promise<void> {
  await trx
    .updateTable("media_attachments")
    .set({ status_id: null, position: null, updated_at: new Date() })
    .where("status_id", "=", statusId)
    .execute();
}

/** Deletes stale unattached media and their files; runs at most every ten minutes per instance. */
export async function sweepUnattachedMedia(context: AppContext, options: { force?: boolean } = {}): Promise<number> {
  const now = Date.now();
  if (!options.force && now - (lastSweep.get(context) ?? 0) < SWEEP_INTERVAL_MS) return 0;
  lastSweep.set(context, now);
  const cutoff = new Date(now - KEEP_UNATTACHED_MS);
  const gone = await context.db
    .deleteFrom("media_attachments")
    .where("id", "in", (eb) =>
      eb
        .selectFrom("media_attachments")
        .select("id")
        .where("status_id", "is", null)
        // Held for a post scheduled for later.
        .where("scheduled_status_id", "is", null)
        .where((inner) => inner.or([inner("updated_at", "<", cutoff), inner("remote_url", "is not", null)]))
        .limit(BATCH),
    )
    .where("status_id", "is", null)
    .returning(["file_key", "preview_key"])
    .execute();
  await removeFiles(context, gone);
  return gone.length;
}

/** Removes the stored files of deleted attachments; a file already gone is no error. */
export async function removeFiles(
  context: AppContext,
  rows: readonly { file_key: string | null; preview_key: string | null }[],
): Promise<void> {
  const keys = rows.flatMap((row) => [row.file_key, row.preview_key]).filter((key): key is string => key !== null);
  await Promise.all(
    keys.map((key) =>
      context.media.delete(key).catch((error) => context.log.warn({ err: error, key }, "a media file could not be removed")),
    ),
  );
}
