/**
 * @module app/view-sign-in
 * Sign in with an API key (checked against this server before it is kept), or sign up with an e-mail
 * address: the server mails a key, as `cachette account signup` does.
 */
import { ApiError, api } from './api.ts';
import { field, formValue, h, mount } from './dom.ts';
import { attempt, showError, showInfo } from './notice.ts';
import { session } from './session.ts';

/** Checks `key` here; true when it may manage the account (keys, usage). */
async function probe(key: string): Promise<boolean> {
  await api('/v1/caches', { key });
  try {
    await api('/v1/api-keys?limit=1', { key });
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return false;
    throw e;
  }
}

export async function signInView(root: HTMLElement, onSignedIn: () => void): Promise<void> {
  const config = (await api<{ provider: string; region: string }>('/console/config.json', { key: '' }).catch(() => ({
    provider: 'local',
    region: 'local',
  }))) as { provider: string; region: string };

  const keyInput = h('textarea', { name: 'key', rows: 3, required: true, autocomplete: 'off', spellcheck: 'false' });
  const signIn = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'sign-in-title',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const key = formValue(form, 'key');
        if (key === '') return showError(new Error('Paste an API key first.'));
        void attempt(async () => {
          const managing = await probe(key);
          session.signIn(key, managing);
          onSignedIn();
        }, form.querySelector('button'));
      },
    },
    h('h2', { id: 'sign-in-title' }, 'Sign in'),
    field('API key', keyInput, 'Kept in this tab only (sessionStorage) and sent to this server only.'),
    h('button', { type: 'submit' }, 'Sign in'),
  );

  const signUp = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'sign-up-title',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const email = formValue(form, 'email');
        void attempt(async () => {
          await api('/v1/signup', {
            method: 'POST',
            key: '',
            json: { provider: config.provider, region: config.region, email },
          });
          showInfo(
            `A key is on its way to ${email}. Without SMTP configured, the server writes the e-mail as an .eml file in its data directory's outbox/.`,
          );
        }, form.querySelector('button'));
      },
    },
    h('h2', { id: 'sign-up-title' }, 'Sign up'),
    field('E-mail', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'email' })),
    h('p', { class: 'muted' }, `Region ${config.provider}/${config.region}. The key arrives by e-mail.`),
    h('button', { type: 'submit' }, 'Send me a key'),
  );
  mount(root, h('div', { class: 'grid-2' }, signIn, signUp));
  keyInput.focus();
}
