// The demo organization as data: people on three campuses with teams, bios and Skills, who
// follows whom, and months of posts about their work (hashtags, #help requests and the replies
// that answer them). Everything comes from one seeded PRNG, so the same options always give the
// same organization; tests use it to plant people and posts they can look for.

/** The campuses of `npm run demo`. */
export const DEMO_CAMPUSES = ["north", "south", "east"];

export interface CorpusOptions {
  /** Campus names, e.g. ["north", "south", "east"]. */
  campuses: string[];
  /** People per campus. */
  people: number;
  /** Posts in all. */
  posts: number;
  /** How far back the history goes. */
  months?: number;
  seed?: number;
}

export interface DemoPerson {
  campus: string;
  username: string;
  displayName: string;
  bio: string;
  team: string;
  skills: string[];
}

export interface DemoFollow {
  /** Indexes into `people`. */
  follower: number;
  target: number;
}

export interface DemoPost {
  /** Index into `people`. */
  author: number;
  text: string;
  /** Milliseconds before the seeding moment; posts are in chronological order (oldest first). */
  ageMs: number;
  /** Index of an earlier post by someone on the same campus. */
  inReplyTo?: number;
  /** A help request (carries #help). */
  help: boolean;
}

export interface DemoCorpus {
  campuses: string[];
  people: DemoPerson[];
  follows: DemoFollow[];
  posts: DemoPost[];
}

/** mulberry32: small, fast and good enough for picking names and topics. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Topic {
  skill: string;
  tag: string;
  team: string;
  /** Things people say about it; `{}` is replaced by a detail. */
  updates: string[];
  asks: string[];
  answers: string[];
  details: string[];
}

const TOPICS: Topic[] = [
  {
    skill: "Kubernetes",
    tag: "kubernetes",
    team: "Platform",
    updates: [
      "Moved {} to the new cluster today, rollouts are down to two minutes",
      "Wrote up how we run {} on Kubernetes, link in the wiki",
      "Finally tuned the autoscaler for {}, no more pages at night",
    ],
    asks: ["Has anyone run {} on Kubernetes with persistent volumes? Our pods keep losing state"],
    answers: ["We hit the same with {}: pin the storage class and set a PodDisruptionBudget, happy to pair on it"],
    details: ["the build runners", "the billing jobs", "the staging stack", "our ingress"],
  },
  {
    skill: "Terraform",
    tag: "terraform",
    team: "Platform",
    updates: ["Split {} into modules, plans take seconds now", "Imported {} into Terraform, no more hand-made resources"],
    asks: ["How do you handle state for {} in Terraform across teams?"],
    answers: ["One state per team for {}, with remote locking; I can show you our layout"],
    details: ["the DNS zones", "the network", "the databases", "the object storage"],
  },
  {
    skill: "PostgreSQL",
    tag: "postgres",
    team: "Data",
    updates: ["An index on {} took the report from 40 s to 80 ms", "Upgraded {} to PostgreSQL 17 with no downtime"],
    asks: ["Anyone tuned autovacuum for {}? It falls behind every Monday"],
    answers: ["For {} we lowered the scale factor per table, I can send the settings"],
    details: ["the orders table", "the events store", "the HR database", "the analytics replica"],
  },
  {
    skill: "Open-source CRM",
    tag: "crm",
    team: "Sales tools",
    updates: ["Migrated {} into our open-source CRM this week", "Our CRM now syncs {} every hour"],
    asks: ["Has anyone implemented an open-source CRM? We need {} in it"],
    answers: ["We did, with {}: start from the contacts import, the rest follows; ping me"],
    details: ["the partner contacts", "the support tickets", "the trade-show leads", "the invoices"],
  },
  {
    skill: "Accessibility",
    tag: "a11y",
    team: "Design",
    updates: ["Audited {} with a screen reader, fixed eleven issues", "Contrast and focus order of {} are fixed"],
    asks: ["Who knows how to make {} work with screen readers?"],
    answers: ["For {} use proper labels and live regions; I have a checklist"],
    details: ["the booking form", "the intranet search", "the expense app", "the campus map"],
  },
  {
    skill: "Machine learning",
    tag: "ml",
    team: "Research",
    updates: ["Trained a small model for {}, accuracy is up six points", "Our notebook on {} is ready for review"],
    asks: ["Anyone labelled data for {}? Looking for tooling advice"],
    answers: ["We used active learning for {}, it halved the labelling time"],
    details: ["ticket routing", "invoice parsing", "demand forecasts", "lab images"],
  },
  {
    skill: "Security",
    tag: "security",
    team: "Security",
    updates: ["Rotated the secrets of {} and added alerts", "Threat model for {} is done, thanks to everyone who joined"],
    asks: ["Who has set up SSO for {}? Stuck on the SAML claims"],
    answers: ["For {} map the email claim to NameID; I have a working config"],
    details: ["the wiki", "the VPN", "the build farm", "the HR portal"],
  },
  {
    skill: "React",
    tag: "react",
    team: "Web",
    updates: ["Rewrote {} with React server components", "Shipped the new design of {}"],
    asks: ["Has anyone profiled {} in React? It re-renders on every keystroke"],
    answers: ["In {} memoize the row component and lift the state; the profiler shows it"],
    details: ["the timesheet app", "the room booking", "the dashboard", "the onboarding flow"],
  },
];

const FIRST = ["Ana", "Raj", "Chen", "Priya", "Lena", "Omar", "Sofia", "Kenji", "Marta", "Tomás", "Aisha", "Jonas", "Mei", "Diego", "Nora", "Ibrahim", "Eva", "Luca", "Hana", "Samuel"];
const LAST = ["Silva", "Patel", "Wang", "Iyer", "Novak", "Haddad", "Rossi", "Sato", "Kowalski", "García", "Bello", "Berg", "Lin", "Ortega", "Lund", "Khan", "Meyer", "Conti", "Kim", "Okafor"];
const DAY_MS = 86_400_000;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function fill(random: () => number, template: string, topic: Topic): string {
  return template.replace("{}", pick(random, topic.details));
}

export function generateCorpus(options: CorpusOptions): DemoCorpus {
  const random = prng(options.seed ?? 42);
  const months = options.months ?? 6;
  const people: DemoPerson[] = [];
  const topicsOf: Topic[][] = [];
  const taken = new Set<string>();
  for (const campus of options.campuses) {
    for (let i = 0; i < options.people; i++) {
      let first = pick(random, FIRST);
      let last = pick(random, LAST);
      while (taken.has(`${first} ${last}`)) {
        first = pick(random, FIRST);
        last = pick(random, LAST);
      }
      taken.add(`${first} ${last}`);
      // Everyone knows one or two things; the first topics rotate so every campus has experts.
      const main = TOPICS[(people.length + options.campuses.indexOf(campus)) % TOPICS.length]!;
      const second = pick(random, TOPICS);
      const topics = second === main ? [main] : [main, second];
      topicsOf.push(topics);
      people.push({
        campus,
        username: `${first}_${last}`
          .normalize("NFD")
          .replace(/[\u0300-\u036f]/g, "")
          .toLowerCase(),
        displayName: `${first} ${last}`,
        team: main.team,
        skills: topics.map((topic) => topic.skill),
        bio: `${main.team} team on the ${campus} campus. Ask me about ${topics.map((topic) => topic.skill).join(" and ")}.`,
      });
    }
  }

  // Everyone follows most of their campus and a few people elsewhere who share a skill.
  const follows: DemoFollow[] = [];
  for (let follower = 0; follower < people.length; follower++) {
    for (let target = 0; target < people.length; target++) {
      if (target === follower) continue;
      const sameCampus = people[target]!.campus === people[follower]!.campus;
      const shared = people[target]!.skills.some((skill) => people[follower]!.skills.includes(skill));
      if (sameCampus ? random() < 0.7 : shared && random() < 0.5) follows.push({ follower, target });
    }
  }

  // Posts spread over the months, oldest first; a help request is followed by answers from
  // colleagues on the same campus who know the topic.
  const posts: DemoPost[] = [];
  const span = months * 30 * DAY_MS;
  const openHelp: { index: number; topic: Topic; campus: string }[] = [];
  for (let n = 0; n < options.posts; n++) {
    const ageMs = Math.round(span * (1 - (n + random() * 0.5) / options.posts));
    const author = Math.floor(random() * people.length);
    const person = people[author]!;
    const topic = pick(random, topicsOf[author]!);
    const answerable = openHelp.findIndex(
      (ask) => ask.campus === person.campus && person.skills.includes(ask.topic.skill) && posts[ask.index]!.author !== author,
    );
    if (answerable >= 0 && random() < 0.6) {
      const ask = openHelp.splice(answerable, 1)[0]!;
      posts.push({ author, ageMs, inReplyTo: ask.index, help: false, text: `${fill(random, pick(random, ask.topic.answers), ask.topic)} #${ask.topic.tag}` });
      continue;
    }
    if (random() < 0.12) {
      const asked = pick(random, TOPICS);
      openHelp.push({ index: posts.length, topic: asked, campus: person.campus });
      posts.push({ author, ageMs, help: true, text: `${fill(random, pick(random, asked.asks), asked)} #help #${asked.tag}` });
      continue;
    }
    posts.push({ author, ageMs, help: false, text: `${fill(random, pick(random, topic.updates), topic)} #${topic.tag}` });
  }
  return { campuses: [...options.campuses], people, follows, posts };
}
