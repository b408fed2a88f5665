/**
 * The short seeded fuzz pass CI runs: a few thousand hostile gRPC and HTTP cases against a real server in a
 * child process, a canary on other connections after every batch. Any crash, stall or wrong canary answer
 * fails the test and prints the seed and a replay command. The bound is generous (the machine is shared);
 * the stall this pass exists for never answers at all.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../lib/fuzz-loop.ts';

const SEED = 20_261_129;

describe('fuzz (short seeded pass)', () => {
  it('2000 hostile cases: no crash, no stall, the canary answers every time', { timeout: 180_000 }, async () => {
    const report = await runFuzz({
      seed: SEED,
      from: 0,
      cases: 2000,
      maxMs: Number.POSITIVE_INFINITY,
      concurrency: 16,
      canaryBoundMs: 5000,
      answerWaitMs: 5000,
      maxFailures: 1,
      log: () => undefined,
    });
    const findings = report.failures.map(
      (f) => `${f.kind}: ${f.detail}\n  replay: ${f.replay}\n  ${f.cases.join('\n  ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.cases).toBe(2000);
    // Both protocols were exercised and most gRPC calls were judged by the server, not left hanging.
    expect(report.grpcCases).toBeGreaterThan(500);
    expect(report.httpCases).toBeGreaterThan(500);
    expect(report.grpcWebCases).toBeGreaterThan(100);
    expect(report.respCases).toBe(1000);
    expect(report.h2FrameCases).toBe(500);
    expect(report.unanswered).toBe(0);
  });
});
