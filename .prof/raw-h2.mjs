import http2 from 'node:http2';
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
s.listen(+process.argv[2] || 50051, () => console.log('up'));
