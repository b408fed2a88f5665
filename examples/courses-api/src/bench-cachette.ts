/**
 * @module bench-cachette
 * A real Cachette server for the bench, in its own process so it has its own event loop and CPU time:
 * `node --import tsx bench-cachette.ts <data-dir>` boots `createServerFromSettings` on free ports, prints one JSON line
 * `{ "httpUrl", "devApiKey" }` and runs until SIGTERM.
 */
import { createLogger, createServerFromSettings } from '@cachette/server';

const dataDir = process.argv[2];
if (dataDir === undefined) {
  console.error('usage: bench-cachette.ts <data-dir>');
  process.exit(2);
}
const server = await createServerFromSettings({ port: 0, dataDir, logger: createLogger('warn') });
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
console.log(JSON.stringify({ httpUrl: server.httpUrl, devApiKey: server.devApiKey }));
