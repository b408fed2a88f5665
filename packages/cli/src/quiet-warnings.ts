/**
 * @module quiet-warnings
 * Keeps Node's process warnings that say nothing actionable to a CLI user off stderr, where scripts read
 * our one-line errors. Every other warning still prints as Node prints it.
 */

/**
 * Warning codes we drop. DEP0123: grpc-js sets the TLS server name to the endpoint's host, and Node warns
 * when that host is an IP address (`--tls` against `127.0.0.1:8080`); the connection is fine.
 */
const IGNORED = new Set(['DEP0123']);

/** Puts a filter in front of the installed warning listeners that drops {@link IGNORED} codes. */
export function quietKnownWarnings(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code !== undefined && IGNORED.has(warning.code)) return;
    // Node's own printer is among these (absent under --no-warnings, which then stays silent).
    for (const p of printers) p(warning);
  });
}
