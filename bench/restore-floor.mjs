/**
 * The floor of the Lambda restore bench (lambda-restore.ts): the least any runtime can do between
 * the answer to `restore/next` and its first `invocation/next`, i.e. nothing. A plain Node HTTP client
 * with a keep-alive agent, warmed up as `snapstart-runtime` warms up (round trips against a
 * throw-away loopback server first), sends `invocation/next` as soon as `restore/next` is answered.
 * What the runtime measures above this is its own work; this itself is the machine's (process
 * wake-ups, loopback, Node's HTTP client).
 */
import http from 'node:http';

const WARM_UP_ROUND_TRIPS = 10;
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

/** GET `path` of the Runtime API at `host:port`; resolves once the answer has ended. */
function get(host, port, path) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, path: `/2018-06-01/runtime/${path}`, agent }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end();
  });
}

const warm = http.createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-length': '0' }).end();
});
await new Promise((resolve) => warm.listen(0, '127.0.0.1', resolve));
const { port: warmPort } = warm.address();
for (let i = 0; i < WARM_UP_ROUND_TRIPS; i++) {
  await get('127.0.0.1', warmPort, 'restore/next');
  await get('127.0.0.1', warmPort, 'invocation/next');
}
warm.closeAllConnections();
warm.close();
agent.destroy();

const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API ?? '').split(':');
await get(host, port, 'restore/next');
await get(host, port, 'invocation/next'); // never answered: the bench kills this process
