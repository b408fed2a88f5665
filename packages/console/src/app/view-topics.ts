/**
 * @module app/view-topics
 * One cache's topics: publish text (`POST /topics/<cache>/<topic>`) and watch a topic live. The live view
 * reads `GET /v1/topics/<cache>/<topic>/events` (server-sent events) with `fetch`, because `EventSource`
 * cannot send the key in a header and the key must not go into a URL. One watch at a time: leaving the
 * page or watching another topic aborts the request, which ends the server's subscription. A dropped stream
 * is reopened from the last message shown (see {@link LiveTopic}). The list keeps the latest
 * {@link MAX_SHOWN} messages so a busy topic cannot grow the page without bound.
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
  readonly page: number;
  readonly text?: string;
  readonly base64?: string;
}

/** One SSE block (`id:`/`event:`/`data:` lines; comments and heartbeats have no data and are skipped). */
interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
    else if (line.startsWith('id: ')) id = line.slice(4);
  }
  return data.length > 0 ? { id, event, data: data.join('\n') } : undefined;
}

/** Waits `ms`, or less when `signal` aborts (a Stop during a reconnect delay ends it at once). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Failures worth another try: the network, a restarting server, a limit that clears. */
function transient(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 0 || e.status === 429 || e.status >= 502 || e.code === 'UNAVAILABLE');
}

/** How one connection ended. */
type Ending = 'aborted' | 'dropped' | 'ended';

/**
 * The live view of one topic, across as many connections as it takes: each item's SSE id
 * (`<page>:<sequence>`) is remembered, and after a drop (network, server restart, the server's own
 * `end: UNAVAILABLE`) the view reconnects with `Last-Event-ID` set to it, so the server replays what was
 * missed from its window, or says what cannot be replayed with a discontinuity. Items at or before the last
 * one shown are skipped, so each message appears once.
 */
class LiveTopic {
  private lastId: string | undefined;
  private page: number | undefined;
  private sequence = 0;
  /** Connections that went live: after the first, each one is a resumption. */
  private opened = 0;

  constructor(
    private readonly cache: string,
    private readonly topic: string,
    private readonly list: HTMLElement,
    private readonly state: HTMLElement,
    private readonly signal: AbortSignal,
  ) {}

  private setState(name: string, text: string): void {
    this.state.textContent = text;
    this.state.dataset.state = name;
  }

  async run(): Promise<void> {
    let failures = 0;
    for (;;) {
      let ending: Ending;
      try {
        ending = await this.connect();
        failures = 0;
      } catch (e) {
        if (this.signal.aborted) return;
        // The first connection's errors (no such cache, no rights) are the answer to the click; later ones
        // are retried while they look passing.
        if (this.opened === 0) throw e;
        if (!transient(e)) throw e;
        ending = 'dropped';
        failures++;
      }
      if (ending !== 'dropped' || this.signal.aborted) return;
      const delayMs = Math.min(500 * 2 ** failures, 5000);
      this.setState('reconnecting', `Connection lost; reconnecting to '${this.topic}' in ${delayMs / 1000} s…`);
      await pause(delayMs, this.signal);
      if (this.signal.aborted) return;
    }
  }

  /** One connection: opens the stream, shows its events, and says how it ended. */
  private async connect(): Promise<Ending> {
    const headers: Record<string, string> = {};
    const key = session.key();
    if (key) headers.authorization = key;
    if (this.lastId !== undefined) headers['last-event-id'] = this.lastId;
    let response: Response;
    try {
      response = await fetch(`/v1${topicUrl(this.cache, this.topic)}/events`, { headers, signal: this.signal });
    } catch {
      if (this.signal.aborted) return 'aborted';
      throw new ApiError(0, 'UNAVAILABLE', 'The server could not be reached.');
    }
    if (!response.ok || response.body === null) {
      // The same error shape as every other call.
      const parsed = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new ApiError(
        response.status,
        parsed.error?.code ?? `HTTP_${response.status}`,
        parsed.error?.message ?? response.statusText,
      );
    }
    const again = this.opened > 0 ? ` (reconnected ${this.opened}×, resumed after the last message shown)` : '';
    this.opened++;
    this.setState('live', `Watching '${this.topic}' in '${this.cache}': new messages appear below${again}.`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'dropped';
        buffered += value;
        let end = buffered.indexOf('\n\n');
        while (end !== -1) {
          const event = parseBlock(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          end = buffered.indexOf('\n\n');
          if (event !== undefined && this.show(event) === 'ended') return 'ended';
        }
      }
    } catch {
      return this.signal.aborted ? 'aborted' : 'dropped';
    } finally {
      reader.releaseLock();
    }
  }

  /** Shows one event; `ended` when the server ended the subscription for good. */
  private show(event: SseEvent): 'ended' | undefined {
    if (event.event === 'item') {
      const item = JSON.parse(event.data) as ItemEvent;
      // A replay can only start after the id sent, but a repeat must never show twice.
      if (item.page === this.page && item.sequence <= this.sequence) return undefined;
      this.remember(event.id, item.page, item.sequence);
      const text = item.text ?? `(binary, base64) ${item.base64 ?? ''}`;
      this.list.prepend(
        h(
          'li',
          { 'data-sequence': item.sequence, 'data-page': item.page },
          h('code', {}, `#${item.sequence}`),
          ' ',
          text,
        ),
      );
      while (this.list.childElementCount > MAX_SHOWN) this.list.lastElementChild?.remove();
    } else if (event.event === 'discontinuity') {
      const gap = JSON.parse(event.data) as { lastSequence: number; newSequence: number; page: number };
      const text =
        this.page !== undefined && gap.page !== this.page
          ? `The topic's numbering restarted (the server restarted or forgot the topic): messages published after #${gap.lastSequence} while disconnected may be missing; numbering goes on from #${gap.newSequence + 1}.`
          : `Missed messages #${gap.lastSequence + 1}–#${gap.newSequence} (no longer held by the server).`;
      this.list.prepend(h('li', { class: 'gap', role: 'status', 'data-testid': 'discontinuity' }, text));
      this.remember(event.id, gap.page, gap.newSequence);
    } else if (event.event === 'end') {
      const ended = JSON.parse(event.data) as { code: string; message: string };
      // The server going away (shutdown, restart) is worth a reconnect; anything else is final.
      if (ended.code === 'UNAVAILABLE') return undefined;
      showError(new ApiError(200, ended.code, `The subscription ended: ${ended.message}`));
      return 'ended';
    }
    return undefined;
  }

  private remember(id: string | undefined, page: number, sequence: number): void {
    this.lastId = id ?? `${page}:${sequence}`;
    this.page = page;
    this.sequence = sequence;
  }
}

async function watch(cache: string, topic: string, list: HTMLElement, state: HTMLElement): Promise<void> {
  stopWatching();
  const controller = new AbortController();
  current = controller;
  mount(list);
  try {
    await new LiveTopic(cache, topic, list, state, controller.signal).run();
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
