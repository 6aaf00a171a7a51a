import type { Selectable } from "kysely";
import type { ListsTable, RepliesPolicy } from "../../db/schema.ts";

export interface ApiList {
  id: string;
  title: string;
  replies_policy: RepliesPolicy;
  exclusive: boolean;
}

export function listToApi(list: Selectable<ListsTable>): ApiList {
  return { id: list.id, title: list.title, replies_policy: list.replies_policy, exclusive: list.exclusive };
}
