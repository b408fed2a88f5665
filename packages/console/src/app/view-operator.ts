/**
 * @module app/view-operator
 * For a managing key: the deployment's plans (and which one this account is on), the server's health, and
 * a few live figures from `/metrics` (which needs its bearer token when the server was started with
 * `--metrics-token`; the view says so instead of failing silently).
 */
import { ApiError, api } from './api.ts';
import { h, mount } from './dom.ts';
import { bytes, duration } from './format.ts';

interface Plan {
  readonly name: string;
  readonly maxRequestsPerSecond: number | null;
  readonly maxThroughputBytesPerSecond: number | null;
  readonly maxItemSizeBytes: number;
  readonly maxTtlMs: number;
  readonly maxCaches: number | null;
  readonly maxApiKeys?: number | null;
}

/** Sums every sample of `name` in Prometheus text `text` (labels ignored). */
function metric(text: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

const FIGURES: Array<[string, string, (n: number) => string]> = [
  ['Requests served', 'cachette_requests_total', (n) => n.toLocaleString()],
  ['Cache hits', 'cachette_cache_hits_total', (n) => n.toLocaleString()],
  ['Items held', 'cachette_items', (n) => n.toLocaleString()],
  ['Engine memory', 'cachette_bytes_used', bytes],
  ['Bytes in', 'cachette_bytes_in_total', bytes],
  ['Bytes out', 'cachette_bytes_out_total', bytes],
  ['Failed authentications', 'cachette_auth_failures_total', (n) => n.toLocaleString()],
];

export async function operatorView(root: HTMLElement): Promise<void> {
  const [{ plans, current }, health] = await Promise.all([
    api<{ plans: Plan[]; current: string | null }>('/v1/plans'),
    api<{ status: string }>('/healthz', { key: '' }).catch((e: unknown) => ({
      status: `unreachable (${(e as Error).message})`,
    })),
  ]);
  let figures: HTMLElement;
  try {
    const text = await api<string>('/metrics', { key: '' });
    figures = h(
      'div',
      { class: 'stats', 'data-testid': 'metrics' },
      ...FIGURES.flatMap(([label, name, format]) => {
        const v = metric(text, name);
        return v === undefined ? [] : [h('div', { class: 'stat' }, h('span', {}, label), h('strong', {}, format(v)))];
      }),
    );
  } catch (e) {
    figures = h(
      'p',
      { class: 'muted' },
      e instanceof ApiError && e.status === 401
        ? '/metrics is protected by the server’s --metrics-token; read it with that bearer token.'
        : `/metrics could not be read: ${(e as Error).message}`,
    );
  }
  const limit = (n: number | null | undefined, f: (n: number) => string = String) => (n == null ? 'unlimited' : f(n));
  mount(
    root,
    h('h2', {}, 'Operator'),
    h('p', {}, 'Server health: ', h('strong', { 'data-testid': 'health' }, health.status)),
    figures,
    h('h3', {}, 'Plans'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Plan', 'Requests/s per cache', 'Throughput per cache', 'Item size', 'Max TTL', 'Caches', 'Keys'].map(
              (t) => h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...plans.map((p) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, p.name, p.name === current ? h('span', { class: 'badge' }, 'your plan') : null),
              h('td', {}, limit(p.maxRequestsPerSecond)),
              h(
                'td',
                {},
                limit(p.maxThroughputBytesPerSecond, (n) => `${bytes(n)}/s`),
              ),
              h('td', {}, bytes(p.maxItemSizeBytes)),
              h('td', {}, duration(p.maxTtlMs)),
              h('td', {}, limit(p.maxCaches)),
              h('td', {}, limit(p.maxApiKeys)),
            ),
          ),
        ),
      ),
    ),
  );
}
