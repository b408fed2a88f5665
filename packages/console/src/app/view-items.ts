/**
 * @module app/view-items
 * One cache's items: look a key up (value shown as text, pretty JSON, or size and base64 for binary data,
 * with its remaining TTL), set a value (text, JSON checked before sending, or a file's bytes), change the
 * TTL, delete. Below, the collections card ({@link collectionsCard}) reads, changes and deletes
 * dictionaries, lists, sets and sorted sets.
 */
import { ApiError, api, cachePath } from './api.ts';
import { field, formValue, h, mount } from './dom.ts';
import { bytes, duration } from './format.ts';
import { attempt, showInfo } from './notice.ts';
import { collectionsCard } from './view-collections.ts';

const itemUrl = (cache: string, key: string, extra = '') =>
  `/cache/${encodeURIComponent(cache)}?key=${encodeURIComponent(key)}${extra}`;

/** The value as a person reads it: JSON pretty-printed, UTF-8 text, or base64 for binary data. */
function describeValue(value: Uint8Array): { kind: string; text: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(value);
  } catch {
    let binary = '';
    for (const b of value.subarray(0, 4096)) binary += String.fromCharCode(b);
    return { kind: 'binary (base64, first 4 KB)', text: btoa(binary) };
  }
  try {
    return { kind: 'JSON', text: JSON.stringify(JSON.parse(text), null, 2) };
  } catch {
    return { kind: 'text', text };
  }
}

function lookupPanel(cache: string, out: HTMLElement): HTMLElement {
  const show = async (key: string) => {
    let value: Uint8Array;
    try {
      value = await api<Uint8Array>(itemUrl(cache, key), { raw: true });
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'item_not_found') {
        mount(out, h('p', { class: 'muted', role: 'status' }, `No item '${key}' (miss).`));
        return;
      }
      throw e;
    }
    const ttl = await api<{ remainingTtlMs: number }>(
      `${cachePath(cache, '/items/ttl')}?key=${encodeURIComponent(key)}`,
    ).catch(() => undefined);
    const { kind, text } = describeValue(value);
    mount(
      out,
      h(
        'div',
        { class: 'item', 'data-testid': 'item' },
        h(
          'dl',
          {},
          h('dt', {}, 'Key'),
          h('dd', {}, key),
          h('dt', {}, 'Size'),
          h('dd', {}, bytes(value.length)),
          h('dt', {}, 'Type'),
          h('dd', {}, kind),
          h('dt', {}, 'TTL left'),
          h('dd', { 'data-testid': 'ttl' }, ttl ? duration(ttl.remainingTtlMs) : '—'),
        ),
        h('pre', { 'data-testid': 'value' }, text),
        h(
          'form',
          {
            class: 'inline',
            onsubmit: (event: Event) => {
              event.preventDefault();
              const form = event.currentTarget as HTMLFormElement;
              const seconds = Number(formValue(form, 'ttl'));
              void attempt(async () => {
                await api(cachePath(cache, '/items/ttl'), { method: 'POST', json: { key, ttl_seconds: seconds } });
                showInfo(`TTL of '${key}' set to ${seconds} s.`);
                await show(key);
              }, form.querySelector('button'));
            },
          },
          field(
            'New TTL (seconds)',
            h('input', { name: 'ttl', type: 'number', min: 1, required: true, inputmode: 'numeric' }),
          ),
          h('button', { type: 'submit', class: 'secondary' }, 'Change TTL'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: (e: Event) =>
              void attempt(async () => {
                if (!confirm(`Delete item '${key}'?`)) return;
                await api(itemUrl(cache, key), { method: 'DELETE' });
                showInfo(`Item '${key}' deleted.`);
                mount(out);
              }, e.currentTarget as HTMLButtonElement),
          },
          'Delete item',
        ),
      ),
    );
  };
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'get-title',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        void attempt(() => show(formValue(form, 'key')), form.querySelector('button'));
      },
    },
    h('h3', { id: 'get-title' }, 'Get an item'),
    field('Key', h('input', { name: 'key', required: true, autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Get'),
  );
}

function setPanel(cache: string): HTMLElement {
  const kind = h(
    'select',
    { name: 'kind' },
    h('option', { value: 'text' }, 'Text'),
    h('option', { value: 'json' }, 'JSON'),
    h('option', { value: 'file' }, 'File'),
  );
  const text = h('textarea', { name: 'value', rows: 4, spellcheck: 'false' });
  const file = h('input', { name: 'file', type: 'file' });
  const fileField = field('File', file);
  const textField = field('Value', text);
  fileField.hidden = true;
  kind.addEventListener('change', () => {
    fileField.hidden = kind.value !== 'file';
    textField.hidden = kind.value === 'file';
  });
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'set-title',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const key = formValue(form, 'key');
        const ttl = formValue(form, 'ttl');
        void attempt(async () => {
          let body: BodyInit;
          if (kind.value === 'file') {
            const chosen = file.files?.[0];
            if (!chosen) throw new Error('Choose a file to upload.');
            body = new Uint8Array(await chosen.arrayBuffer());
          } else if (kind.value === 'json') {
            try {
              body = JSON.stringify(JSON.parse(text.value));
            } catch (e) {
              throw new Error(`Not valid JSON: ${(e as Error).message}`);
            }
          } else {
            body = text.value;
          }
          await api(itemUrl(cache, key, `&ttl_seconds=${encodeURIComponent(ttl)}`), { method: 'PUT', body });
          showInfo(`Item '${key}' stored in '${cache}' for ${ttl} s.`);
        }, form.querySelector('button'));
      },
    },
    h('h3', { id: 'set-title' }, 'Set an item'),
    field('Key', h('input', { name: 'key', required: true, autocomplete: 'off' })),
    field('Kind', kind),
    textField,
    fileField,
    field(
      'TTL (seconds)',
      h('input', { name: 'ttl', type: 'number', min: 1, value: 600, required: true, inputmode: 'numeric' }),
    ),
    h('button', { type: 'submit' }, 'Set'),
  );
}

export async function itemsView(root: HTMLElement, cache: string): Promise<void> {
  const itemOut = h('div', { 'aria-live': 'polite' });
  mount(
    root,
    h('h2', {}, 'Cache ', h('code', {}, cache)),
    h(
      'p',
      {},
      h('a', { href: '#/caches' }, '← All caches'),
      ' · ',
      h('a', { href: `#/topics/${encodeURIComponent(cache)}` }, 'Topics'),
      ' · ',
      h('a', { href: `#/leaderboards/${encodeURIComponent(cache)}` }, 'Leaderboards'),
    ),
    h('div', { class: 'grid-2' }, h('div', {}, lookupPanel(cache, itemOut), itemOut), setPanel(cache)),
    collectionsCard(cache),
  );
}
