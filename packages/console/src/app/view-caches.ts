/**
 * @module app/view-caches
 * The caches of the account (or those a scoped key sees) with their limits; create, flush, delete. Flush
 * and delete ask for confirmation: both lose items for good.
 */
import { api, cachePath } from './api.ts';
import { field, formValue, h, mount } from './dom.ts';
import { bytes } from './format.ts';
import { attempt, showInfo } from './notice.ts';
import { session } from './session.ts';

interface CacheInfo {
  readonly name: string;
  readonly limits?: {
    readonly maxTrafficRate?: number;
    readonly maxThroughputKbps?: number;
    readonly maxItemSizeKb?: number;
    readonly maxTtlSeconds?: number;
    readonly [k: string]: unknown;
  };
}

// ListCaches reports "no limit" as the largest uint32, as Momento's wire type has no null.
const UNLIMITED = 2 ** 32 - 1;

function limitsText(limits: CacheInfo['limits']): string {
  if (!limits) return '—';
  const parts: string[] = [];
  const rate = limits.maxTrafficRate;
  const kbps = limits.maxThroughputKbps;
  if (rate) parts.push(rate >= UNLIMITED ? 'unlimited req/s' : `${rate} req/s`);
  if (kbps) parts.push(kbps >= UNLIMITED ? 'unlimited throughput' : `${bytes(kbps * 1000)}/s`);
  if (limits.maxItemSizeKb) parts.push(`items ≤ ${bytes(limits.maxItemSizeKb * 1000)}`);
  if (limits.maxTtlSeconds) parts.push(`TTL ≤ ${limits.maxTtlSeconds / 3600} h`);
  return parts.join(' · ') || '—';
}

export async function cachesView(root: HTMLElement, rerender: () => void): Promise<void> {
  const { caches } = await api<{ caches: CacheInfo[] }>('/v1/caches');
  const managing = session.managing();
  const rows = caches.map((c) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, h('a', { href: `#/items/${encodeURIComponent(c.name)}` }, c.name)),
      h('td', {}, limitsText(c.limits)),
      h(
        'td',
        { class: 'actions' },
        managing &&
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: (e: Event) =>
                void attempt(async () => {
                  if (!confirm(`Flush cache '${c.name}'? Every item in it is deleted.`)) return;
                  await api(cachePath(c.name, '/flush'), { method: 'POST' });
                  showInfo(`Cache '${c.name}' flushed.`);
                }, e.currentTarget as HTMLButtonElement),
            },
            'Flush',
          ),
        managing &&
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              onclick: (e: Event) =>
                void attempt(async () => {
                  if (!confirm(`Delete cache '${c.name}' and all its items?`)) return;
                  await api(cachePath(c.name), { method: 'DELETE' });
                  showInfo(`Cache '${c.name}' deleted.`);
                  rerender();
                }, e.currentTarget as HTMLButtonElement),
            },
            'Delete',
          ),
      ),
    ),
  );
  const create = h(
    'form',
    {
      class: 'inline',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const name = formValue(form, 'name');
        void attempt(async () => {
          await api(cachePath(name), { method: 'PUT' });
          showInfo(`Cache '${name}' created.`);
          rerender();
        }, form.querySelector('button'));
      },
    },
    field(
      'New cache',
      h('input', { name: 'name', required: true, maxlength: 255, pattern: '[A-Za-z0-9._\\-]+', autocomplete: 'off' }),
    ),
    h('button', { type: 'submit' }, 'Create cache'),
  );
  mount(
    root,
    h('h2', {}, 'Caches'),
    managing && create,
    caches.length === 0
      ? h('p', { class: 'muted' }, 'No caches yet.')
      : h(
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
                h('th', { scope: 'col' }, 'Name'),
                h('th', { scope: 'col' }, 'Limits'),
                h('th', { scope: 'col' }, ''),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
        ),
  );
}
