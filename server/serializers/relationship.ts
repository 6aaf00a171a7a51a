import type { RelationshipFacts } from "../../db/repositories/follows.ts";

export interface ApiRelationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  languages: string[] | null;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  requested: boolean;
  requested_by: boolean;
  domain_blocking: boolean;
  endorsed: boolean;
  note: string;
}

export function relationshipToApi(targetId: string, facts: RelationshipFacts): ApiRelationship {
  const follow = facts.following.get(targetId) ?? facts.requested.get(targetId);
  return {
    id: targetId,
    following: facts.following.has(targetId),
    showing_reblogs: follow?.show_reblogs ?? false,
    notifying: follow?.notify ?? false,
    languages: follow?.languages ?? null,
    followed_by: facts.followedBy.has(targetId),
    blocking: facts.blocking.has(targetId),
    blocked_by: facts.blockedBy.has(targetId),
    muting: facts.muting.has(targetId),
    muting_notifications: facts.muting.get(targetId)?.hide_notifications ?? false,
    requested: facts.requested.has(targetId),
    requested_by: facts.requestedBy.has(targetId),
    domain_blocking: false,
    endorsed: false,
    note: facts.notes.get(targetId) ?? "",
  };
}
