/**
 * The loopback "price service" the example app talks to: a line protocol on 127.0.0.1.
 * `PRICE <sku>` answers `<sku> <price>`; every connection is numbered so the app can show it
 * reconnected after restore. Prints `listening <port>` once ready.
 *
 * Run: npx tsx examples/v8-snapshot/server.ts [port]
 */
import { createServer } from 'node:net';

/** Starts the price service on `port` (0: any free port) and resolves the port it listens on. */
export function startPriceService(port = 0): Promise<{ port: number; close: () => Promise<void> }> {
  let connections = 0;
  const server = createServer((socket) => {
    const id = ++connections;
    socket.setEncoding('utf8');
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
        const [command, sku = ''] = buffered.slice(0, end).trim().split(' ');
        buffered = buffered.slice(end + 1);
        if (command === 'HELLO') socket.write(`connection #${id}\n`);
        else if (command === 'PRICE') socket.write(`${sku} ${(sku.length * 7.25).toFixed(2)}\n`);
        else socket.write(`error unknown command ${command}\n`);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const service = await startPriceService(Number(process.argv[2] ?? 0));
  process.stdout.write(`listening ${service.port}\n`);
}
