import { describe, expect, it } from 'vitest';
import { Rng } from '../../../fuzz/lib/rng.ts';
import { PendingStreams } from '../src/transports/grpc/http2-limits.ts';

describe('PendingStreams (the grpc-js fallback’s request deadlines)', () => {
  it('follows a model through adds, removals in any order, repeated removals and expiry sweeps', () => {
    const rng = new Rng(42); // seeded: a failure replays
    const next = () => rng.next();
    const pending = new PendingStreams<{ id: number }>();
    const model = new Map<{ id: number }, number>();
    let now = 0;
    for (let step = 0; step < 20_000; step++) {
      const r = next();
      if (r < 0.45) {
        const stream = { id: step };
        const deadline = now + Math.floor(next() * 100);
        pending.add(stream, deadline);
        model.set(stream, deadline);
      } else if (r < 0.9 && model.size > 0) {
        const streams = [...model.keys()];
        const stream = streams[Math.floor(next() * streams.length)] as { id: number };
        pending.remove(stream);
        pending.remove(stream); // 'end' then 'close': the second is a no-op
        model.delete(stream);
      } else {
        now += Math.floor(next() * 50);
        const expired = pending.removeExpired(now).map((s) => s.id);
        const expected = [...model].filter(([, d]) => d <= now).map(([s]) => s.id);
        expect(expired.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
        for (const [s, d] of model) if (d <= now) model.delete(s);
      }
      expect(pending.size).toBe(model.size);
    }
  });

  it('adds a stream once, and forgets a removed one', () => {
    const pending = new PendingStreams<object>();
    const a = {};
    const b = {};
    pending.add(a, 10);
    pending.add(a, 20);
    pending.add(b, 5);
    expect(pending.size).toBe(2);
    pending.remove(a);
    expect(pending.removeExpired(100)).toEqual([b]);
    expect(pending.size).toBe(0);
  });
});
