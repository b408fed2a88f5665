import { describe, expect, it } from 'vitest';
import { InFlightBodies } from '../src/transports/http/request-guard.ts';

describe('InFlightBodies', () => {
  it('enforces the total and the per-client budget, and frees both on release', () => {
    const inFlight = new InFlightBodies(1000, 600);
    expect(inFlight.reserve('a', 400)).toBe(true);
    expect(inFlight.reserve('a', 300)).toBe(false); // a would hold 700 > 600
    expect(inFlight.reserve('b', 500)).toBe(true);
    expect(inFlight.reserve('c', 200)).toBe(false); // total would be 1100 > 1000
    expect(inFlight.bytes).toBe(900);
    inFlight.release('a', 400);
    expect(inFlight.bytes).toBe(500);
    expect(inFlight.reserve('a', 500)).toBe(true); // a is back to 0: up to its budget again
    expect(inFlight.reserve('c', 1)).toBe(false);
    inFlight.release('a', 500);
    inFlight.release('b', 500);
    expect(inFlight.bytes).toBe(0);
    expect(inFlight.reserve('c', 1000)).toBe(false); // per-client budget still holds after idling
    expect(inFlight.reserve('c', 600)).toBe(true);
  });

  it('keeps a returning client in place and drops idle clients in sweeps, so the map stays bounded', () => {
    const inFlight = new InFlightBodies(1 << 30, 1 << 20);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) {
        expect(inFlight.reserve('steady', 10)).toBe(true);
        inFlight.release('steady', 10);
      }
    }
    expect(inFlight.trackedClients).toBe(1);
    // One busy client holds bytes while 20 000 others come and go once each.
    expect(inFlight.reserve('busy', 100)).toBe(true);
    for (let i = 0; i < 20_000; i++) {
      expect(inFlight.reserve(`client-${i}`, 10)).toBe(true);
      inFlight.release(`client-${i}`, 10);
    }
    expect(inFlight.trackedClients).toBeLessThanOrEqual(4096 + 2);
    expect(inFlight.bytes).toBe(100);
    // The busy client was never swept: its bytes still count against its budget.
    expect(inFlight.reserve('busy', (1 << 20) - 100)).toBe(true);
    expect(inFlight.reserve('busy', 1)).toBe(false);
  });

  it('never frees more than a client holds', () => {
    const inFlight = new InFlightBodies(100, 100);
    inFlight.release('nobody', 10);
    expect(inFlight.bytes).toBe(0);
    expect(inFlight.reserve('x', 50)).toBe(true);
    expect(inFlight.reserve('y', 30)).toBe(true);
    inFlight.release('x', 80);
    expect(inFlight.bytes).toBe(30);
    expect(inFlight.reserve('x', 71)).toBe(false); // 30 + 71 > 100: y's bytes still count
    expect(inFlight.reserve('x', 70)).toBe(true);
  });
});
