/**
 * @module app/view-leaderboards
 * One cache's leaderboards through `/v1/caches/<cache>/leaderboards/<name>/…`: upsert an id's score, show
 * the top N (highest score first), look up one id's rank, show the length, delete the leaderboard. A
 * missing leaderboard reads as empty, as on Momento's wire.
 */
import { api, cachePath } from './api.ts';
import { field, formValue, h, mount } from './dom.ts';
import { attempt, showInfo } from './notice.ts';

interface Ranked {
  readonly id: number;
  readonly score: number;
  readonly rank: number;
}

/** A whole number typed into a field, or a clear error naming the field. */
function integer(raw: string, what: string): number {
  if (!/^\d{1,10}$/.test(raw)) throw new Error(`${what} must be a whole number from 0, got '${raw}'.`);
  return Number(raw);
}

function finite(raw: string, what: string): number {
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n)) throw new Error(`${what} must be a number, got '${raw}'.`);
  return n;
}

function table(elements: readonly Ranked[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': 'leaderboard' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Rank'),
          h('th', { scope: 'col' }, 'Id'),
          h('th', { scope: 'col' }, 'Score'),
        ),
      ),
      h(
        'tbody',
        {},
        ...elements.map((e) => h('tr', {}, h('td', {}, e.rank + 1), h('td', {}, e.id), h('td', {}, e.score))),
      ),
    ),
  );
}

export async function leaderboardsView(root: HTMLElement, cache: string): Promise<void> {
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'leaderboard-out' });
  const nameInput = h('input', { name: 'board', required: true, autocomplete: 'off', value: 'scores' });
  const base = () => {
    const name = nameInput.value.trim();
    if (name === '') throw new Error('Name the leaderboard first.');
    return cachePath(cache, `/leaderboards/${encodeURIComponent(name)}`);
  };
  const showTop = async (count: number) => {
    const { elements } = await api<{ elements: Ranked[] }>(`${base()}/by-rank?start=0&end=${count}&order=descending`);
    const { length } = await api<{ length: number }>(`${base()}/length`);
    mount(
      out,
      h(
        'p',
        { 'data-testid': 'leaderboard-length' },
        `'${nameInput.value.trim()}' holds ${length} element${length === 1 ? '' : 's'}; top ${count} by score:`,
      ),
      elements.length === 0 ? h('p', { class: 'muted' }, 'Empty.') : table(elements),
    );
  };
  const onForm = (task: (form: HTMLFormElement) => Promise<void>) => (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    void attempt(() => task(form), form.querySelector('button'));
  };
  mount(
    root,
    h('h2', {}, 'Leaderboards in ', h('code', {}, cache)),
    h('p', {}, h('a', { href: `#/items/${encodeURIComponent(cache)}` }, '← Items of this cache')),
    h('div', { class: 'card' }, field('Leaderboard', nameInput)),
    h(
      'div',
      { class: 'grid-2' },
      h(
        'form',
        {
          class: 'card',
          'aria-labelledby': 'upsert-title',
          onsubmit: onForm(async (form) => {
            const id = integer(formValue(form, 'id'), 'Id');
            const score = finite(formValue(form, 'score'), 'Score');
            await api(`${base()}/upsert`, { method: 'POST', json: { elements: [{ id, score }] } });
            showInfo(`Id ${id} now scores ${score}.`);
            await showTop(10);
          }),
        },
        h('h3', { id: 'upsert-title' }, 'Upsert a score'),
        field('Id', h('input', { name: 'id', required: true, inputmode: 'numeric', autocomplete: 'off' })),
        field('Score', h('input', { name: 'score', required: true, inputmode: 'decimal', autocomplete: 'off' })),
        h('button', { type: 'submit' }, 'Upsert'),
      ),
      h(
        'form',
        {
          class: 'card',
          'aria-labelledby': 'top-title',
          onsubmit: onForm(async (form) => showTop(Math.max(1, integer(formValue(form, 'count'), 'N')))),
        },
        h('h3', { id: 'top-title' }, 'Top N'),
        field(
          'N',
          h('input', {
            name: 'count',
            type: 'number',
            min: 1,
            max: 8192,
            value: 10,
            required: true,
            inputmode: 'numeric',
          }),
        ),
        h('button', { type: 'submit' }, 'Fetch'),
      ),
      h(
        'form',
        {
          class: 'card',
          'aria-labelledby': 'rank-title',
          onsubmit: onForm(async (form) => {
            const id = integer(formValue(form, 'id'), 'Id');
            const { elements } = await api<{ elements: Ranked[] }>(`${base()}/rank`, {
              method: 'POST',
              json: { ids: [id], order: 'descending' },
            });
            const found = elements[0];
            mount(
              out,
              found === undefined
                ? h('p', { role: 'status' }, `Id ${id} is not on the leaderboard.`)
                : h(
                    'p',
                    { role: 'status', 'data-testid': 'rank' },
                    `Id ${id} is ranked ${found.rank + 1} (score ${found.score}).`,
                  ),
            );
          }),
        },
        h('h3', { id: 'rank-title' }, 'Rank of an id'),
        field('Id', h('input', { name: 'id', required: true, inputmode: 'numeric', autocomplete: 'off' })),
        h('button', { type: 'submit' }, 'Get rank'),
      ),
      h(
        'div',
        { class: 'card' },
        h('h3', {}, 'Delete'),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: (e: Event) =>
              void attempt(async () => {
                const name = nameInput.value.trim();
                const path = base();
                if (!confirm(`Delete leaderboard '${name}'?`)) return;
                await api(path, { method: 'DELETE' });
                showInfo(`Leaderboard '${name}' deleted.`);
                mount(out);
              }, e.currentTarget as HTMLButtonElement),
          },
          'Delete leaderboard',
        ),
      ),
    ),
    out,
  );
}
