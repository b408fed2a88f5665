/**
 * @module postgres-changes
 * Cross-server change notifications over PostgreSQL LISTEN/NOTIFY, so a key revoked (or a cache deleted, a
 * plan changed) through one gateway is dropped from every gateway's in-process caches within milliseconds
 * instead of at the end of their cache windows. One dedicated connection per store listens; when it drops
 * it reconnects with backoff and then reports every kind of change, since some may have been missed.
 */
import type pg from 'pg';
import type { MetadataChange } from './store.ts';

const CHANGES: readonly MetadataChange[] = ['apiKeys', 'caches', 'plans'];

/** The channel of one deployment's schema: deployments sharing a database do not hear each other. */
export function changeChannel(schema: string): string {
  return `cachette_changes_${schema}`.slice(0, 63);
}

export interface ChangeListenerOptions {
  /** Makes a fresh (not pooled) client: LISTEN needs a connection of its own. */
  readonly connect: () => pg.Client;
  readonly channel: string;
  readonly onChange: (change: MetadataChange) => void;
}

/** Keeps a LISTEN connection open until {@link ChangeListener.close}. */
export class ChangeListener {
  #client: pg.Client | undefined;
  #closed = false;
  #backoffMs = 100;
  #timer: NodeJS.Timeout | undefined;
  /** Resolves once the first LISTEN is in place (or failed; then reconnects run in the background). */
  readonly ready: Promise<void>;

  constructor(private readonly options: ChangeListenerOptions) {
    this.ready = this.#open(false);
  }

  async #open(reconnected: boolean): Promise<void> {
    if (this.#closed) return;
    const client = this.options.connect();
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (msg) => {
      const change = msg.payload as MetadataChange | undefined;
      if (change !== undefined && CHANGES.includes(change)) this.options.onChange(change);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
      if (this.#closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.#client = client;
      this.#backoffMs = 100;
      if (reconnected) for (const change of CHANGES) this.options.onChange(change);
    } catch {
      this.#lost(client);
    }
  }

  #lost(client: pg.Client): void {
    if (this.#client === client) this.#client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.#closed || this.#timer !== undefined) return;
    // Unref'd: a reconnect loop must never keep a stopping process alive.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#open(true);
    }, this.#backoffMs);
    this.#timer.unref();
    this.#backoffMs = Math.min(this.#backoffMs * 2, 5_000);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
