/**
 * ClockEviction on its own: victims in slot order among live unreferenced slots, a second chance for a
 * referenced one, new items unreferenced, the protected slot never chosen, and the hand carrying on after
 * the last victim. The engine-level guarantees (what survives under maxBytes) are the conformance suite's.
 */
import { describe, expect, it } from 'vitest';
import { ClockEviction } from '../src/clock-eviction.ts';

/** `live` as the engine keeps it: non-zero key space id for a live slot, 0 for a free one. */
function liveSlots(n: number, free: readonly number[] = []): Uint16Array {
  const live = new Uint16Array(n).fill(1);
  for (const s of free) live[s] = 0;
  return live;
}

describe('ClockEviction', () => {
  it('evicts live unreferenced slots in slot order, skipping free ones, and the hand carries on', () => {
    const clock = new ClockEviction(8);
    const live = liveSlots(6, [1, 3]);
    expect(clock.victim(6, live, -1)).toBe(0);
    live[0] = 0; // the engine freed it
    expect(clock.victim(6, live, -1)).toBe(2);
    expect(clock.victim(6, live, -1)).toBe(4);
    expect(clock.victim(6, live, -1)).toBe(5);
    // Wraps around: slot 0 was reused by a new item meanwhile.
    live[0] = 1;
    clock.insert(0);
    expect(clock.victim(6, live, -1)).toBe(0);
  });

  it('a slot touched since the hand last passed is spared once, then evicted if not touched again', () => {
    const clock = new ClockEviction(4);
    const live = liveSlots(3);
    clock.touch(0);
    clock.touch(1);
    expect(clock.victim(3, live, -1)).toBe(2);
    live[2] = 0;
    // 0 and 1 lost their reference on the way to 2: now they go in order.
    expect(clock.victim(3, live, -1)).toBe(0);
    clock.touch(1);
    live[0] = 0;
    expect(clock.victim(3, live, -1)).toBe(1); // spared once on the first turn, taken on the second: the only one left
  });

  it('when every slot is referenced, the first turn clears them and the second finds the hand’s next slot', () => {
    const clock = new ClockEviction(4);
    const live = liveSlots(4);
    for (let s = 0; s < 4; s++) clock.touch(s);
    expect(clock.victim(4, live, -1)).toBe(0);
  });

  it('a new item starts unreferenced, even in a slot that was referenced before it was freed', () => {
    const clock = new ClockEviction(2);
    const live = liveSlots(2);
    clock.touch(0);
    clock.insert(0);
    expect(clock.victim(2, live, -1)).toBe(0);
  });

  it('never picks the protected slot: -1 when it is the only live one', () => {
    const clock = new ClockEviction(4);
    const live = liveSlots(3, [1]);
    expect(clock.victim(3, live, 0)).toBe(2);
    live[2] = 0;
    expect(clock.victim(3, live, 0)).toBe(-1);
    expect(clock.victim(0, live, -1)).toBe(-1);
  });

  it('grow keeps reference bytes; clear forgets them and rewinds the hand', () => {
    const clock = new ClockEviction(2);
    clock.touch(1);
    clock.grow(4);
    const live = liveSlots(4);
    expect(clock.victim(4, live, -1)).toBe(0);
    expect(clock.victim(4, live, -1)).toBe(2); // 1 spared
    clock.touch(3);
    clock.clear();
    expect(clock.victim(4, live, -1)).toBe(0);
    expect(clock.victim(4, live, -1)).toBe(1);
  });
});
