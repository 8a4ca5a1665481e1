// An OTLP/HTTP receiver for the benchmark's traced gateway: accepts POST /v1/traces (JSON, as the
// gateway's exporter sends it), counts what it received and answers 200, so that the gateway pays
// the whole cost of tracing (spans, batching, export) and nothing of a real collector's is
// measured. Prints one JSON line with its port once listening; runs until SIGTERM/SIGINT.
import { createServer } from 'node:http';

let exports = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/traces') exports += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
server.listen(Number(process.env.SINK_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(JSON.stringify({ msg: `OTLP sink listening on http://127.0.0.1:${port}`, port }));
});
const stop = () => {
  console.log(JSON.stringify({ msg: 'OTLP sink stopped', exports }));
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
