/**
 * Issue 14, finding 10: `/metrics` and `/healthz` are open by design; `--metrics-token` makes `/metrics`
 * private for deployments that want it.
 */
import { resolveConfig } from '@cachette/server';
import { describe, expect, it } from 'vitest';
import { boot } from './support/boot.ts';

describe('/metrics and /healthz', () => {
  it('without a metrics token both are open (by design: counts only, no keys or values)', async () => {
    const b = await boot();
    try {
      expect((await fetch(`${b.server.httpUrl}/healthz`)).status).toBe(200);
      const res = await fetch(`${b.server.httpUrl}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('cachette_requests_total');
    } finally {
      await b.stop();
    }
  });

  it('with --metrics-token, /metrics answers 401 unless Authorization: Bearer <token>; /healthz stays open', async () => {
    const b = await boot({ metricsToken: 's3cret-token' });
    try {
      expect((await fetch(`${b.server.httpUrl}/metrics`)).status).toBe(401);
      const wrong = await fetch(`${b.server.httpUrl}/metrics`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      // An API key is not the metrics token.
      const apiKey = await fetch(`${b.server.httpUrl}/metrics`, { headers: { authorization: b.server.devApiKey } });
      expect(apiKey.status).toBe(401);
      const ok = await fetch(`${b.server.httpUrl}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('cachette_requests_total');
      expect((await fetch(`${b.server.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await b.stop();
    }
  });

  it('CACHETTE_METRICS_TOKEN and --metrics-token set it', () => {
    expect(resolveConfig({ flags: { metricsToken: 'a' } }).metricsToken).toBe('a');
    expect(resolveConfig({ env: { CACHETTE_METRICS_TOKEN: 'b' } }).metricsToken).toBe('b');
    expect(resolveConfig({}).metricsToken).toBeUndefined();
  });
});
