/**
 * @module app/main
 * The console's entry: a hash router (`#/caches`, `#/items/<cache>`, `#/topics/<cache>`,
 * `#/leaderboards/<cache>`, `#/keys`, `#/usage`, `#/operator`),
 * the navigation (only what the key may use), sign-out. Each view renders into `<main>`; a failed API call
 * shows the server's message in the notice area and leaves the page usable.
 */
import { h, mount } from './dom.ts';
import { clearNotice, showError } from './notice.ts';
import { session } from './session.ts';
import { cachesView } from './view-caches.ts';
import { itemsView } from './view-items.ts';
import { keysView } from './view-keys.ts';
import { leaderboardsView } from './view-leaderboards.ts';
import { operatorView } from './view-operator.ts';
import { signInView } from './view-sign-in.ts';
import { stopWatching, topicsView } from './view-topics.ts';
import { usageView } from './view-usage.ts';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;

function renderNav(route: string): void {
  if (!session.key()) {
    mount(nav);
    return;
  }
  const links: Array<[string, string]> = [['#/caches', 'Caches']];
  if (session.managing()) links.push(['#/keys', 'API keys'], ['#/usage', 'Usage'], ['#/operator', 'Operator']);
  mount(
    nav,
    ...links.map(([href, label]) =>
      h('a', { href, ...(route.startsWith(href.slice(1)) ? { 'aria-current': 'page' } : {}) }, label),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          session.signOut();
          location.hash = '#/';
          void render(true);
        },
      },
      'Sign out',
    ),
  );
}

/** Renders the current route; `navigated` clears the last notice (a re-render after an action keeps it). */
async function render(navigated = false): Promise<void> {
  const route = location.hash.replace(/^#/, '') || '/';
  renderNav(route);
  if (navigated) clearNotice();
  // A live topic view holds a server subscription: any re-render ends it.
  stopWatching();
  // Each render gets a root of its own in <main>. Views load before they mount (an API call), so an earlier
  // render answered late — the sign-in page's config while the user already navigated — would otherwise
  // mount over the page navigated to; now it mounts into a root no longer in the page.
  const root = document.createElement('div');
  main.replaceChildren(root);
  main.setAttribute('aria-busy', 'true');
  try {
    if (!session.key()) {
      await signInView(root, () => {
        // Changing the hash renders through hashchange; on #/caches already, render directly.
        if (location.hash === '#/caches') void render();
        else location.hash = '#/caches';
      });
    } else if (route.startsWith('/items/')) {
      await itemsView(root, decodeURIComponent(route.slice('/items/'.length)));
    } else if (route.startsWith('/topics/')) {
      await topicsView(root, decodeURIComponent(route.slice('/topics/'.length)));
    } else if (route.startsWith('/leaderboards/')) {
      await leaderboardsView(root, decodeURIComponent(route.slice('/leaderboards/'.length)));
    } else if (route === '/keys') {
      await keysView(root, () => void render());
    } else if (route === '/usage') {
      await usageView(root);
    } else if (route === '/operator') {
      await operatorView(root);
    } else {
      await cachesView(root, () => void render());
    }
  } catch (e) {
    mount(root, h('p', { class: 'muted' }, 'This page could not be loaded.'));
    if (root.isConnected) showError(e);
  }
  // A newer render owns <main> now: its busy flag and focus are its own.
  if (!root.isConnected) return;
  main.removeAttribute('aria-busy');
  // Move focus to the new page's heading, so keyboard and screen-reader users land on it (unless the view
  // already put it in a field, as sign-in does).
  const heading = main.querySelector('h2');
  if (heading && !main.contains(document.activeElement)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

window.addEventListener('hashchange', () => void render(true));
void render();
