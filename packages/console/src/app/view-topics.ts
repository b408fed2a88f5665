/**
 * @module app/view-topics
 * One cache's topics: publish text (`POST /topics/<cache>/<topic>`) and watch a topic live. The live view
 * reads `GET /v1/topics/<cache>/<topic>/events` (server-sent events) with `fetch`, because `EventSource`
 * cannot send the key in a header and the key must not go into a URL. One watch at a time: leaving the
 * page or watching another topic aborts the request, which ends the server's subscription. The list keeps
 * the latest {@link MAX_SHOWN} messages so a busy topic cannot grow the page without bound.
 */
import { ApiError, api } from './api.ts';
import { field, formValue, h, mount } from './dom.ts';
import { attempt, showError, showInfo } from './notice.ts';
import { session } from './session.ts';

const MAX_SHOWN = 200;

/** The running watch, aborted when the page changes. */
let current: AbortController | undefined;

/** Stops the live view (navigation away, or a new watch). */
export function stopWatching(): void {
  current?.abort();
  current = undefined;
}

const topicUrl = (cache: string, topic: string) => `/topics/${encodeURIComponent(cache)}/${encodeURIComponent(topic)}`;

interface ItemEvent {
  readonly sequence: number;
  readonly text?: string;
  readonly base64?: string;
}

/** Turns SSE blocks (`event:`/`data:` lines ending in a blank line) into calls of `on`. */
function dispatch(block: string, on: (event: string, data: string) => void): void {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (data.length > 0) on(event, data.join('\n'));
}

async function watch(cache: string, topic: string, list: HTMLElement, state: HTMLElement): Promise<void> {
  stopWatching();
  const controller = new AbortController();
  current = controller;
  const headers: Record<string, string> = {};
  const key = session.key();
  if (key) headers.authorization = key;
  let response: Response;
  try {
    response = await fetch(`/v1${topicUrl(cache, topic)}/events`, { headers, signal: controller.signal });
  } catch {
    if (controller.signal.aborted) return;
    throw new ApiError(0, 'UNAVAILABLE', 'The server could not be reached.');
  }
  if (!response.ok || response.body === null) {
    // The same error shape as every other call: reuse api()'s parsing by reading the JSON here.
    const parsed = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(
      response.status,
      parsed.error?.code ?? `HTTP_${response.status}`,
      parsed.error?.message ?? response.statusText,
    );
  }
  mount(list);
  state.textContent = `Watching '${topic}' in '${cache}': new messages appear below.`;
  state.dataset.state = 'live';
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      let end = buffered.indexOf('\n\n');
      while (end !== -1) {
        dispatch(buffered.slice(0, end), (event, data) => {
          if (event === 'item') {
            const item = JSON.parse(data) as ItemEvent;
            const text = item.text ?? `(binary, base64) ${item.base64 ?? ''}`;
            list.prepend(h('li', { 'data-sequence': item.sequence }, h('code', {}, `#${item.sequence}`), ' ', text));
            while (list.childElementCount > MAX_SHOWN) list.lastElementChild?.remove();
          } else if (event === 'discontinuity') {
            const gap = JSON.parse(data) as { lastSequence: number; newSequence: number };
            list.prepend(
              h('li', { class: 'muted' }, `Missed messages ${gap.lastSequence + 1}–${gap.newSequence - 1}.`),
            );
          } else if (event === 'end') {
            const ended = JSON.parse(data) as { code: string; message: string };
            showError(new ApiError(200, ended.code, `The subscription ended: ${ended.message}`));
          }
        });
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
      }
    }
  } catch (e) {
    if (!controller.signal.aborted) throw new ApiError(0, 'UNAVAILABLE', `The live view stopped: ${String(e)}`);
  } finally {
    if (current === controller) current = undefined;
    state.textContent = 'Not watching.';
    state.dataset.state = 'stopped';
  }
}

export async function topicsView(root: HTMLElement, cache: string): Promise<void> {
  const list = h('ul', { class: 'messages', 'data-testid': 'messages', 'aria-live': 'polite' });
  const state = h('p', { class: 'muted', role: 'status', 'data-testid': 'watch-state' }, 'Not watching.');
  const stop = h('button', { type: 'button', class: 'secondary', onclick: () => stopWatching() }, 'Stop');
  mount(
    root,
    h('h2', {}, 'Topics in ', h('code', {}, cache)),
    h('p', {}, h('a', { href: `#/items/${encodeURIComponent(cache)}` }, '← Items of this cache')),
    h(
      'div',
      { class: 'grid-2' },
      h(
        'form',
        {
          class: 'card',
          'aria-labelledby': 'publish-title',
          onsubmit: (event: Event) => {
            event.preventDefault();
            const form = event.currentTarget as HTMLFormElement;
            const topic = formValue(form, 'topic');
            const text = (form.elements.namedItem('message') as HTMLTextAreaElement).value;
            void attempt(async () => {
              if (text === '') throw new Error('Type a message to publish.');
              await api(topicUrl(cache, topic), {
                method: 'POST',
                body: new Blob([text], { type: 'text/plain;charset=utf-8' }),
              });
              showInfo(`Published to '${topic}'.`);
            }, form.querySelector('button'));
          },
        },
        h('h3', { id: 'publish-title' }, 'Publish'),
        field('Topic', h('input', { name: 'topic', required: true, autocomplete: 'off' })),
        field('Message (text)', h('textarea', { name: 'message', rows: 3, required: true })),
        h('button', { type: 'submit' }, 'Publish'),
      ),
      h(
        'form',
        {
          class: 'card',
          'aria-labelledby': 'watch-title',
          onsubmit: (event: Event) => {
            event.preventDefault();
            const form = event.currentTarget as HTMLFormElement;
            void attempt(() => watch(cache, formValue(form, 'topic'), list, state));
          },
        },
        h('h3', { id: 'watch-title' }, 'Live view'),
        field('Topic', h('input', { name: 'topic', required: true, autocomplete: 'off' })),
        h('div', { class: 'inline' }, h('button', { type: 'submit' }, 'Watch'), ' ', stop),
        state,
      ),
    ),
    list,
  );
}
