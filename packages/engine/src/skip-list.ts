/**
 * @module skip-list
 * The ordered index of a sorted set: a skip list with spans (Redis's zskiplist), ordered by (score,
 * member bytes). Insert, delete, rank-of and element-at-rank are O(log n) expected; a range by rank or by
 * score is O(log n + k) by walking level 0 forward or backward from the first element found.
 *
 * Why a skip list rather than a B-tree: rank queries need subtree sizes, which a skip list keeps as one
 * `span` per link with simple updates; Redis has shown for years that it is fast enough, and it needs no
 * rebalancing. Members are latin1 strings (one char per byte), so `<` compares them in byte order.
 */

const MAX_LEVEL = 32;
/** Probability of promoting a node one level: 1/4 gives ~1.33 links per node (Redis's choice). */
const P = 0.25;

/** One member. `next[i]`/`span[i]`: the link at level i and how many level-0 steps it jumps. */
export class SkipNode {
  readonly next: (SkipNode | null)[];
  readonly span: number[];
  backward: SkipNode | null = null;
  constructor(
    readonly member: string,
    readonly score: number,
    level: number,
  ) {
    this.next = new Array<SkipNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

function before(aScore: number, aMember: string, bScore: number, bMember: string): boolean {
  return aScore < bScore || (aScore === bScore && aMember < bMember);
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

/**
 * Scratch for insert/delete, shared: both run synchronously to the end, so no two calls ever use it at
 * once, and a 1 000 000-element load no longer allocates two 32-slot arrays per element.
 */
const NIL = new SkipNode('', Number.NEGATIVE_INFINITY, 0);
// Reset to NIL after each use: a node left here would keep its whole list reachable after it is dropped.
const UPDATE = new Array<SkipNode>(MAX_LEVEL).fill(NIL);
const RANK = new Array<number>(MAX_LEVEL).fill(0);

/** A lower or upper score bound; `exclusive` leaves the bound itself out. */
export interface Bound {
  readonly score: number;
  readonly exclusive: boolean;
}

/** The skip list; see the module comment. Callers keep member → score in a Map and never insert duplicates. */
export class SkipList {
  private readonly head = new SkipNode('', Number.NEGATIVE_INFINITY, MAX_LEVEL);
  private level = 1;
  tail: SkipNode | null = null;
  length = 0;

  /** The first (lowest) node, or null. */
  get first(): SkipNode | null {
    return this.head.next[0]!;
  }

  /** Inserts a member that is not present. */
  insert(score: number, member: string): void {
    const update = UPDATE;
    const rank = RANK;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      for (
        let n = x.next[i];
        n !== null && n !== undefined && before(n.score, n.member, score, member);
        n = x.next[i]
      ) {
        rank[i]! += x.span[i]!;
        x = n;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.length;
      }
      this.level = level;
    }
    const node = new SkipNode(member, score, level);
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.next[i] = u.next[i]!;
      u.next[i] = node;
      node.span[i] = u.span[i]! - (rank[0]! - rank[i]!);
      u.span[i] = rank[0]! - rank[i]! + 1;
    }
    for (let i = level; i < this.level; i++) update[i]!.span[i]!++;
    node.backward = update[0] === this.head ? null : update[0]!;
    if (node.next[0] !== null) node.next[0]!.backward = node;
    else this.tail = node;
    this.length++;
    update.fill(NIL);
  }

  /** Removes (score, member); returns whether it was there. */
  delete(score: number, member: string): boolean {
    const update = UPDATE;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (
        let n = x.next[i];
        n !== null && n !== undefined && before(n.score, n.member, score, member);
        n = x.next[i]
      ) {
        x = n;
      }
      update[i] = x;
    }
    const target = x.next[0];
    if (target === null || target === undefined || target.score !== score || target.member !== member) {
      update.fill(NIL);
      return false;
    }
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (u.next[i] === target) {
        u.span[i]! += target.span[i]! - 1;
        u.next[i] = target.next[i]!;
      } else {
        u.span[i]!--;
      }
    }
    if (target.next[0] !== null) target.next[0]!.backward = target.backward;
    else this.tail = target.backward;
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
    this.length--;
    update.fill(NIL);
    return true;
  }

  /** 0-based ascending rank of (score, member), or -1 when absent. */
  rankOf(score: number, member: string): number {
    let rank = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (
        let n = x.next[i];
        n !== null &&
        n !== undefined &&
        (before(n.score, n.member, score, member) || (n.score === score && n.member === member));
        n = x.next[i]
      ) {
        rank += x.span[i]!;
        x = n;
      }
      if (x !== this.head && x.member === member) return rank - 1;
    }
    return -1;
  }

  /** The node at 0-based ascending `rank`, or null when out of range. */
  at(rank: number): SkipNode | null {
    if (rank < 0 || rank >= this.length) return null;
    const target = rank + 1;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && traversed + x.span[i]! <= target) {
        traversed += x.span[i]!;
        x = x.next[i]!;
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** The first node whose score satisfies `min` (all when undefined), or null. */
  firstFrom(min: Bound | undefined): SkipNode | null {
    if (min === undefined) return this.first;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n !== null && n !== undefined && !aboveMin(n.score, min); n = x.next[i]) x = n;
    }
    return x.next[0]!;
  }

  /** The last node whose score satisfies `max` (all when undefined), or null. */
  lastUpTo(max: Bound | undefined): SkipNode | null {
    if (max === undefined) return this.tail;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n !== null && n !== undefined && belowMax(n.score, max); n = x.next[i]) x = n;
    }
    return x === this.head ? null : x;
  }
}

/** Whether `score` satisfies a lower bound. */
export function aboveMin(score: number, min: Bound | undefined): boolean {
  return min === undefined || (min.exclusive ? score > min.score : score >= min.score);
}

/** Whether `score` satisfies an upper bound. */
export function belowMax(score: number, max: Bound | undefined): boolean {
  return max === undefined || (max.exclusive ? score < max.score : score <= max.score);
}
