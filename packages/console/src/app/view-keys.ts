/**
 * @module app/view-keys
 * The account's API keys: create one scoped to caches, read-only or write-only, and expiring (its secret
 * is shown once, with a copy button: the server keeps only a hash), list them, revoke one (which revokes
 * every key it minted).
 */
import { api } from './api.ts';
import { field, formValue, h, mount } from './dom.ts';
import { when } from './format.ts';
import { attempt, showInfo } from './notice.ts';

interface KeyInfo {
  readonly id: string;
  readonly caches: 'all' | string[];
  readonly access: string;
  readonly description: string | null;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly parentId: string | null;
}

const EXPIRY: Record<string, number | undefined> = {
  never: undefined,
  '1 hour': 3600,
  '1 day': 86_400,
  '7 days': 7 * 86_400,
  '30 days': 30 * 86_400,
  '1 year': 365 * 86_400,
};

function stateOf(key: KeyInfo): string {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) < Date.now()) return 'expired';
  return 'active';
}

/** The secret, shown once, with a copy button. */
function secretPanel(apiKey: string): HTMLElement {
  const out = h('output', { class: 'secret', 'data-testid': 'new-key' }, apiKey);
  return h(
    'div',
    { class: 'card secret-card', role: 'status' },
    h('h3', {}, 'Your new key'),
    h('p', {}, 'Copy it now: it is shown only this once.'),
    out,
    h(
      'button',
      {
        type: 'button',
        onclick: (e: Event) =>
          void attempt(async () => {
            await navigator.clipboard.writeText(apiKey);
            showInfo('Key copied to the clipboard.');
          }, e.currentTarget as HTMLButtonElement),
      },
      'Copy',
    ),
  );
}

export async function keysView(root: HTMLElement, rerender: () => void): Promise<void> {
  const keys: KeyInfo[] = [];
  let token: string | null = null;
  do {
    const page: { keys: KeyInfo[]; nextPageToken: string | null } = await api(
      `/v1/api-keys?limit=1000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
    );
    keys.push(...page.keys);
    token = page.nextPageToken;
  } while (token);
  const fresh = h('div', { 'aria-live': 'polite' });
  const create = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'create-key-title',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const caches = formValue(form, 'caches')
          .split(',')
          .map((c) => c.trim())
          .filter((c) => c !== '');
        const expires = EXPIRY[formValue(form, 'expires')];
        const description = formValue(form, 'description');
        void attempt(async () => {
          const issued = await api<{ apiKey: string; id: string }>('/v1/api-keys', {
            method: 'POST',
            json: {
              ...(caches.length > 0 ? { caches } : {}),
              access: formValue(form, 'access'),
              ...(expires === undefined ? {} : { expiresInSeconds: expires }),
              ...(description ? { description } : {}),
            },
          });
          await keysView(root, rerender);
          const panel = root.querySelector('[data-fresh]') as HTMLElement;
          mount(panel, secretPanel(issued.apiKey));
          showInfo(`Key ${issued.id} created.`);
        }, form.querySelector('button'));
      },
    },
    h('h3', { id: 'create-key-title' }, 'Create a key'),
    field(
      'Caches',
      h('input', { name: 'caches', autocomplete: 'off', placeholder: 'all caches' }),
      'Comma-separated; empty for all caches.',
    ),
    field(
      'Access',
      h(
        'select',
        { name: 'access' },
        h('option', { value: 'read-write' }, 'read-write'),
        h('option', { value: 'read-only' }, 'read-only'),
        h('option', { value: 'write-only' }, 'write-only'),
      ),
    ),
    field('Expires', h('select', { name: 'expires' }, ...Object.keys(EXPIRY).map((k) => h('option', { value: k }, k)))),
    field('Description', h('input', { name: 'description', maxlength: 200, autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Create key'),
  );
  fresh.setAttribute('data-fresh', '');
  const rows = keys.map((k) => {
    const state = stateOf(k);
    return h(
      'tr',
      { 'data-key-id': k.id },
      h(
        'th',
        { scope: 'row' },
        h('code', {}, k.id),
        k.description ? h('div', { class: 'muted' }, k.description) : null,
      ),
      h('td', {}, k.caches === 'all' ? 'all' : k.caches.join(', ')),
      h('td', {}, k.access),
      h('td', {}, when(k.createdAt)),
      h('td', {}, when(k.expiresAt)),
      h('td', {}, when(k.lastUsedAt)),
      h('td', { 'data-testid': 'state' }, state),
      h(
        'td',
        {},
        state === 'active' &&
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              'aria-label': `Revoke key ${k.id}`,
              onclick: (e: Event) =>
                void attempt(async () => {
                  if (!confirm(`Revoke key ${k.id}? Keys it created are revoked too.`)) return;
                  await api(`/v1/api-keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
                  showInfo(`Key ${k.id} revoked.`);
                  rerender();
                }, e.currentTarget as HTMLButtonElement),
            },
            'Revoke',
          ),
      ),
    );
  });
  const head = ['Key', 'Caches', 'Access', 'Created', 'Expires', 'Last used', 'State', ''];
  mount(
    root,
    h('h2', {}, 'API keys'),
    h('div', { class: 'grid-2' }, create, fresh),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}
