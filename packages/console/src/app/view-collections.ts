/**
 * @module app/view-collections
 * The collections card of a cache's page: pick a type and a name, fetch it, delete it, and change it with
 * the forms of that type, each one call of the `/v1/caches/<cache>/{dictionaries,lists,sets,sorted-sets}/
 * <name>/…` routes: dictionaries (set fields, remove a field, increment), lists (push front/back with an
 * optional size cap, pop, remove a value, retain a range), sets (add, remove), sorted sets (put with a score,
 * increment, remove, fetch by rank or by score). Writes use the TTL typed once in the card. After a change
 * the collection is fetched again, so the table shows what the server holds. Numbers are checked in the page
 * before sending; everything else is the server's own error, shown with its code.
 */
import { ApiError, api, cachePath } from './api.ts';
import { field, formValue, h, mount } from './dom.ts';
import { attempt, showInfo } from './notice.ts';

type Kind = 'dictionary' | 'list' | 'set' | 'sorted set';
type Rows = { head: string[]; rows: string[][] };

const PATHS: Record<Kind, string> = {
  dictionary: 'dictionaries',
  list: 'lists',
  set: 'sets',
  'sorted set': 'sorted-sets',
};

/** Turns a fetch answer into table rows. */
const ROWS: Record<Kind, (a: Record<string, unknown>) => Rows> = {
  dictionary: (a) => ({
    head: ['Field', 'Value'],
    rows: (a.items as Array<{ field: string; value: string }>).map((i) => [i.field, i.value]),
  }),
  list: (a) => ({ head: ['Index', 'Value'], rows: (a.values as string[]).map((v, i) => [String(i), v]) }),
  set: (a) => ({ head: ['Element'], rows: (a.elements as string[]).map((v) => [v]) }),
  'sorted set': (a) => ({
    head: ['Value', 'Score'],
    rows: (a.elements as Array<{ value: string; score: number }>).map((e) => [e.value, String(e.score)]),
  }),
};

/** A whole number typed into a field (negative allowed when `signed`), or an error naming the field. */
function integer(raw: string, what: string, signed = false): number {
  if (!(signed ? /^-?\d{1,15}$/ : /^\d{1,15}$/).test(raw)) {
    throw new Error(`${what} must be a whole number${signed ? '' : ' from 0'}, got '${raw}'.`);
  }
  return Number(raw);
}

function finite(raw: string, what: string): number {
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n)) throw new Error(`${what} must be a number, got '${raw}'.`);
  return n;
}

/** Non-empty lines of a textarea: one element per line. */
function lines(raw: string, what: string): string[] {
  const list = raw.split('\n').filter((l) => l !== '');
  if (list.length === 0) throw new Error(`Type at least one ${what}, one per line.`);
  return list;
}

const text = (name: string, attrs: Record<string, string | number | boolean> = {}) =>
  h('input', { name, autocomplete: 'off', required: true, ...attrs });
const number = (name: string, value?: number, attrs: Record<string, string | number | boolean> = {}) =>
  h('input', { name, inputmode: 'decimal', autocomplete: 'off', required: true, value, ...attrs });
const ends = () =>
  h('select', { name: 'end' }, h('option', { value: 'back' }, 'back'), h('option', { value: 'front' }, 'front'));
const order = () =>
  h(
    'select',
    { name: 'order' },
    h('option', { value: 'ascending' }, 'ascending'),
    h('option', { value: 'descending' }, 'descending'),
  );

function table({ head, rows }: Rows): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': 'collection' },
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}

export function collectionsCard(cache: string): HTMLElement {
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'collection-out' });
  const ops = h('div', { class: 'ops' });
  const type = h(
    'select',
    { name: 'type' },
    ...Object.keys(PATHS).map((t) => h('option', { value: t }, t)),
  ) as HTMLSelectElement;
  const name = text('name');
  const ttl = number('ttl', 600, { type: 'number', min: 1, inputmode: 'numeric' });
  const refresh = h('input', { name: 'refresh', type: 'checkbox', checked: true });
  const kind = () => type.value as Kind;
  const base = () => {
    const n = name.value.trim();
    if (n === '') throw new Error('Name the collection first.');
    return cachePath(cache, `/${PATHS[kind()]}/${encodeURIComponent(n)}`);
  };
  /** The TTL fields every write sends. */
  const ttlJson = () => ({ ttl_seconds: integer(ttl.value.trim(), 'TTL'), refresh_ttl: refresh.checked });
  const post = <T = unknown>(op: string, json: Record<string, unknown>) =>
    api<T>(`${base()}/${op}`, { method: 'POST', json });

  /** Shows a table of the collection (or `rows` already fetched) with its delete button. */
  const show = async (fetched?: Rows, what?: string) => {
    const k = kind();
    const label = `${k} '${name.value.trim()}'`;
    let rows = fetched;
    if (rows === undefined) {
      try {
        rows = ROWS[k](await api<Record<string, unknown>>(base()));
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'item_not_found')) throw e;
        mount(out, h('p', { class: 'muted', role: 'status' }, `No ${label}.`));
        return;
      }
    }
    const n = rows.rows.length;
    mount(
      out,
      h('p', { 'data-testid': 'collection-summary' }, `${what ?? label}: ${n} entr${n === 1 ? 'y' : 'ies'}`),
      n === 0 ? null : table(rows),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: (e: Event) =>
            void attempt(async () => {
              const path = base();
              if (!confirm(`Delete ${label}?`)) return;
              await api(path, { method: 'DELETE' });
              showInfo(`The ${label} was deleted.`);
              mount(out);
            }, e.currentTarget as HTMLButtonElement),
        },
        `Delete ${k}`,
      ),
    );
  };

  /**
   * One operation's form: `run` reads the form and calls the API; its answer (a sentence) is shown as a
   * confirmation and the collection is fetched again. A missing collection reads as such, not as an error.
   */
  const op = (
    title: string,
    button: string,
    run: (form: HTMLFormElement) => Promise<string>,
    ...fields: HTMLElement[]
  ) =>
    h(
      'form',
      {
        class: 'op',
        'aria-label': title,
        onsubmit: (event: Event) => {
          event.preventDefault();
          const form = event.currentTarget as HTMLFormElement;
          void attempt(async () => {
            let said: string;
            try {
              said = await run(form);
            } catch (e) {
              if (!(e instanceof ApiError && e.reason === 'item_not_found')) throw e;
              said = `No ${kind()} '${name.value.trim()}' (nothing to change).`;
            }
            showInfo(said);
            await show();
          }, form.querySelector<HTMLButtonElement>('button[type=submit]'));
        },
      },
      h('h4', {}, title),
      ...fields,
      h('button', { type: 'submit' }, button),
    );

  /** A dictionary's set form: field/value pairs, more added with a button. */
  const dictionarySet = () => {
    const pairs = h('div', {});
    const addPair = () => {
      const i = pairs.childElementCount + 1;
      const input = text(`field${i}`);
      pairs.append(
        h(
          'div',
          { class: 'pair' },
          field(`Field ${i}`, input),
          field(`Value ${i}`, h('textarea', { name: `value${i}`, rows: 1 })),
        ),
      );
      return input;
    };
    addPair();
    // The new field takes focus, so a keyboard user types on where the pair appeared.
    const more = h(
      'button',
      { type: 'button', class: 'secondary more', onclick: () => addPair().focus() },
      'Add a field',
    );
    return op(
      'Set fields',
      'Set',
      async (form) => {
        const items: Array<{ field: string; value: string }> = [];
        for (let i = 1; i <= pairs.childElementCount; i++) {
          const value = (form.elements.namedItem(`value${i}`) as HTMLTextAreaElement).value;
          items.push({ field: formValue(form, `field${i}`), value });
        }
        await post('set', { items, ...ttlJson() });
        return `Set ${items.length} field${items.length === 1 ? '' : 's'}.`;
      },
      pairs,
      more,
    );
  };

  const FORMS: Record<Kind, () => HTMLElement[]> = {
    dictionary: () => [
      dictionarySet(),
      op(
        'Increment a field',
        'Increment',
        async (form) => {
          const f = formValue(form, 'field');
          const amount = integer(formValue(form, 'amount'), 'Amount', true);
          const { value } = await post<{ value: string }>('increment', { field: f, amount, ...ttlJson() });
          return `Field '${f}' is now ${value}.`;
        },
        field('Field', text('field')),
        field('Amount', number('amount', 1)),
      ),
      op(
        'Remove a field',
        'Remove',
        async (form) => {
          const f = formValue(form, 'field');
          await post('delete', { fields: [f] });
          return `Field '${f}' removed.`;
        },
        field('Field', text('field')),
      ),
    ],
    list: () => [
      op(
        'Push a value',
        'Push',
        async (form) => {
          const end = formValue(form, 'end');
          const cap = formValue(form, 'cap');
          const value = (form.elements.namedItem('value') as HTMLTextAreaElement).value;
          const { length } = await post<{ length: number }>(`push-${end}`, {
            value,
            ...(cap === '' ? {} : { truncate_to_size: integer(cap, 'Keep at most') }),
            ...ttlJson(),
          });
          return `Pushed to the ${end}; the list holds ${length}.`;
        },
        field('Value', h('textarea', { name: 'value', rows: 1 })),
        field('End', ends()),
        field('Keep at most (optional)', number('cap', undefined, { required: false }), 'Trims the other end.'),
      ),
      op(
        'Pop a value',
        'Pop',
        async (form) => {
          const end = formValue(form, 'end');
          const { value, length } = await post<{ value: string; length: number }>(`pop-${end}`, {});
          return `Popped '${value}' from the ${end}; ${length} left.`;
        },
        field('End', ends()),
      ),
      op(
        'Remove a value',
        'Remove',
        async (form) => {
          const value = (form.elements.namedItem('value') as HTMLTextAreaElement).value;
          const { length } = await post<{ length: number }>('remove', { value });
          return `Removed every '${value}'; the list holds ${length}.`;
        },
        field('Value', h('textarea', { name: 'value', rows: 1 })),
      ),
      op(
        'Retain a range',
        'Retain',
        async (form) => {
          const start = integer(formValue(form, 'start'), 'Start', true);
          const endRaw = formValue(form, 'stop');
          const json = { start, ...(endRaw === '' ? {} : { end: integer(endRaw, 'End', true) }), ...ttlJson() };
          const { length } = await post<{ length: number }>('retain', json);
          return `Kept that range; the list holds ${length}.`;
        },
        field('Start index', number('start', 0)),
        field(
          'End index (exclusive, optional)',
          number('stop', undefined, { required: false }),
          'Negative counts from the end.',
        ),
      ),
    ],
    set: () =>
      (['add', 'remove'] as const).map((what) =>
        op(
          what === 'add' ? 'Add elements' : 'Remove elements',
          what === 'add' ? 'Add' : 'Remove',
          async (form) => {
            const elements = lines((form.elements.namedItem('entries') as HTMLTextAreaElement).value, 'element');
            await post(what, { elements, ...(what === 'add' ? ttlJson() : {}) });
            return `${what === 'add' ? 'Added' : 'Removed'} ${elements.length} element${elements.length === 1 ? '' : 's'}.`;
          },
          field('Elements', h('textarea', { name: 'entries', rows: 3 }), 'One per line.'),
        ),
      ),
    'sorted set': () => [
      op(
        'Put a member',
        'Put',
        async (form) => {
          const value = formValue(form, 'value');
          const score = finite(formValue(form, 'score'), 'Score');
          await post('put', { elements: [{ value, score }], ...ttlJson() });
          return `'${value}' now scores ${score}.`;
        },
        field('Value', text('value')),
        field('Score', number('score')),
      ),
      op(
        'Increment a score',
        'Increment',
        async (form) => {
          const value = formValue(form, 'value');
          const amount = finite(formValue(form, 'amount'), 'Amount');
          const { score } = await post<{ score: number }>('increment', { value, amount, ...ttlJson() });
          return `'${value}' now scores ${score}.`;
        },
        field('Value', text('value')),
        field('Amount', number('amount', 1)),
      ),
      op(
        'Remove a member',
        'Remove',
        async (form) => {
          const value = formValue(form, 'value');
          await post('remove', { values: [value] });
          return `'${value}' removed.`;
        },
        field('Value', text('value')),
      ),
      rangeForm(),
    ],
  };

  /** Sorted sets: fetch by rank (start/end) or by score (min/max), either order; shows only that range. */
  function rangeForm(): HTMLElement {
    const by = h(
      'select',
      { name: 'by' },
      h('option', { value: 'rank' }, 'rank'),
      h('option', { value: 'score' }, 'score'),
    );
    const form = h(
      'form',
      {
        class: 'op',
        'aria-label': 'Fetch a range',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void attempt(async () => {
            const from = formValue(form, 'from');
            const to = formValue(form, 'to');
            const q = new URLSearchParams({ order: formValue(form, 'order') });
            let what: string;
            if (by.value === 'rank') {
              if (from !== '') q.set('start', String(integer(from, 'From', true)));
              if (to !== '') q.set('end', String(integer(to, 'To', true)));
              what = `ranks ${from || 'first'} to ${to || 'last'}`;
            } else {
              if (from !== '') q.set('min', String(finite(from, 'From')));
              if (to !== '') q.set('max', String(finite(to, 'To')));
              what = `scores ${from || '−∞'} to ${to || '+∞'}`;
            }
            const path = `${base()}${by.value === 'score' ? '/by-score' : ''}?${q}`;
            try {
              const rows = ROWS['sorted set'](await api<Record<string, unknown>>(path));
              await show(rows, `sorted set '${name.value.trim()}', ${what} (${q.get('order')})`);
            } catch (e) {
              if (!(e instanceof ApiError && e.reason === 'item_not_found')) throw e;
              mount(out, h('p', { class: 'muted', role: 'status' }, `No sorted set '${name.value.trim()}'.`));
            }
          }, form.querySelector<HTMLButtonElement>('button[type=submit]'));
        },
      },
      h('h4', {}, 'Fetch a range'),
      field('By', by),
      field('From (optional)', number('from', undefined, { required: false }), 'Rank: index from 0; score: minimum.'),
      field('To (optional)', number('to', undefined, { required: false }), 'Rank: exclusive end; score: maximum.'),
      field('Order', order()),
      h('button', { type: 'submit' }, 'Fetch'),
    );
    return form;
  }

  const renderOps = () => mount(ops, ...FORMS[kind()]());
  type.addEventListener('change', () => {
    renderOps();
    mount(out);
  });
  renderOps();

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'collection-title' },
    h('h3', { id: 'collection-title' }, 'Collections'),
    h(
      'form',
      {
        class: 'inline',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const form = event.currentTarget as HTMLFormElement;
          void attempt(() => show(), form.querySelector<HTMLButtonElement>('button[type=submit]'));
        },
      },
      field('Type', type),
      field('Name', name),
      field('TTL for writes (s)', ttl),
      h('label', { class: 'check' }, refresh, ' refresh TTL on write'),
      h('button', { type: 'submit' }, 'Fetch'),
    ),
    ops,
    out,
  );
}
