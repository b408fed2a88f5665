/** Tallied metrics as Prometheus reads them: the same exposition prom-client's own counter and histogram give. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyCounter, TallyHistogram } from '../src/observability/tallies.ts';

describe('tallies', () => {
  it('a counter shows one series per label pair with its count', async () => {
    const registry = new Registry();
    const c = new TallyCounter('t_requests_total', 'help text', ['operation', 'outcome'], registry);
    c.inc('get', 'hit');
    c.inc('get', 'hit');
    c.inc('get', 'miss');
    const text = await registry.metrics();
    expect(text).toContain('# TYPE t_requests_total counter');
    expect(text).toContain('t_requests_total{operation="get",outcome="hit"} 2');
    expect(text).toContain('t_requests_total{operation="get",outcome="miss"} 1');
  });

  it('a histogram shows cumulative buckets, +Inf, sum and count per label', async () => {
    const registry = new Registry();
    const h = new TallyHistogram('t_seconds', 'help text', 'operation', [0.1, 1], registry);
    h.observe('set', 0.05);
    h.observe('set', 0.5);
    h.observe('set', 5);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE t_seconds histogram');
    expect(text).toContain('t_seconds_bucket{le="0.1",operation="set"} 1');
    expect(text).toContain('t_seconds_bucket{le="1",operation="set"} 2');
    expect(text).toContain('t_seconds_bucket{le="+Inf",operation="set"} 3');
    expect(text).toContain('t_seconds_sum{operation="set"} 5.55');
    expect(text).toContain('t_seconds_count{operation="set"} 3');
  });
});
