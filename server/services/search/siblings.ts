// Cross-campus search as services see it: the federation layer asks every allowlisted sibling
// (a signed request to its /api/hallway/v1/federated_search), stores what they return as remote
// posts and accounts, and hands back their local ids with the siblings' ranks.

export interface SiblingQuery {
  q: string;
  type?: "accounts" | "statuses";
  limit: number;
  offset: number;
}

export interface SiblingHit {
  /** The local id of the stored copy. */
  id: string;
  rank: number;
  exact: boolean;
}

export interface SiblingResults {
  statuses: SiblingHit[];
  accounts: SiblingHit[];
}

export interface SiblingSearcher {
  /**
   * What the siblings answered within the search budget. Never rejects: a slow, failing or
   * unreachable sibling only leaves its results out.
   */
  search(query: SiblingQuery): Promise<SiblingResults>;
}

/** The answer a campus gives a sibling: ActivityPub ids, ranked. */
export interface OrgSearchAnswer {
  statuses: { uri: string; rank: number }[];
  accounts: { uri: string; rank: number; exact: boolean }[];
}
