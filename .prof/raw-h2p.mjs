import http2 from 'node:http2';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
const body = Buffer.from([0,0,0,0,2,8,2]);
const HEAD = { ':status': 200, 'content-type': 'application/grpc+proto' };
const TR = { 'grpc-status': '0', 'grpc-message': 'OK' };
const s = http2.createServer();
s.on('stream', (stream, headers) => {
  stream.on('data', () => {});
  stream.on('end', () => {
    stream.respond(HEAD, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(TR));
    stream.end(body);
  });
});
s.listen(0, () => { writeFileSync('/tmp/srv.json', JSON.stringify({port: s.address().port, pid: process.pid})); });
const insp = new Session(); insp.connect();
process.on('SIGUSR2', async () => { await insp.post('Profiler.enable'); await insp.post('Profiler.setSamplingInterval', { interval: 100 }); await insp.post('Profiler.start'); });
process.on('SIGUSR1', async () => { const { profile } = await insp.post('Profiler.stop'); writeFileSync('/tmp/load.cpuprofile', JSON.stringify(profile)); });
