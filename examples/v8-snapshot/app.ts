/**
 * The V8 snapshot example: a CLI-style app whose init is slow (it loads a product catalog and
 * builds a search index) and which holds a TCP connection to a loopback price service.
 *
 * - init: load the catalog, connect to the price service;
 * - beforeSnapshot: close the connection (a socket cannot be in a snapshot);
 * - afterRestore: reconnect, in every restored process;
 * - main: one request over the connection, print the answer, close.
 *
 * Build: npx tsx src/cli/main.ts snapshot examples/v8-snapshot/app.ts --out app.blob
 * Run:   PRICE_SERVICE_PORT=<port> node --snapshot-blob app.blob <query>
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { snapStartBus } from '../../src/index.js';
import { snapshotMain } from '../../src/v8/index.js';

interface Product {
  sku: string;
  name: string;
  price: number;
}

const WORDS = ['steel', 'oak', 'blue', 'compact', 'pro', 'mini', 'solar', 'quiet', 'smart', 'travel', 'classic', 'max'];
const KINDS = ['lamp', 'chair', 'kettle', 'drill', 'speaker', 'backpack', 'desk', 'fan', 'router', 'watch'];

/**
 * The raw product feed: 150 000 records as JSON text, as if read from a file or fetched. Generated
 * here so the example needs no data file.
 */
function productFeed(): string {
  const records = [];
  for (let i = 0; i < 150_000; i++) {
    const name = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${KINDS[(i * 13) % KINDS.length]}`;
    records.push({ sku: `sku-${i.toString(36)}`, name, price: ((i * 7919) % 50_000) / 100, stock: i % 17 });
  }
  return JSON.stringify(records);
}

/**
 * Loads the catalog: parses the feed and keeps, per word, the number of products in stock and the
 * cheapest one. The work is heavy, its result small: the case a snapshot serves best.
 */
function loadCatalog(): Map<string, { count: number; cheapest: Product }> {
  const feed = JSON.parse(productFeed()) as (Product & { stock: number })[];
  const byWord = new Map<string, { count: number; cheapest: Product }>();
  for (const { sku, name, price, stock } of feed) {
    if (stock === 0) continue;
    for (const word of new Set(name.split(' '))) {
      const entry = byWord.get(word);
      if (entry === undefined) byWord.set(word, { count: 1, cheapest: { sku, name, price } });
      else {
        entry.count++;
        if (price < entry.cheapest.price) entry.cheapest = { sku, name, price };
      }
    }
  }
  return byWord;
}

let catalog: ReturnType<typeof loadCatalog>;
let service: { socket: Socket; lines: AsyncIterator<string>; greeting: string } | undefined;

/** Opens the connection to the price service and reads its greeting. */
async function connectToPriceService(): Promise<void> {
  const socket = connect(Number(process.env.PRICE_SERVICE_PORT), '127.0.0.1');
  await once(socket, 'connect');
  socket.setEncoding('utf8');
  const lines = readLines(socket);
  socket.write('HELLO\n');
  const greeting = (await lines.next()).value as string;
  service = { socket, lines, greeting };
}

async function* readLines(socket: Socket): AsyncGenerator<string> {
  let buffered = '';
  for await (const chunk of socket) {
    buffered += chunk as string;
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      yield buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
    }
  }
}

snapStartBus.on(
  'beforeSnapshot',
  () => {
    service?.socket.destroy();
    service = undefined;
  },
  { name: 'close price service' },
);
snapStartBus.on('afterRestore', () => connectToPriceService(), { name: 'reconnect price service', timeout: 2_000 });

snapshotMain(
  async ({ restored, args }) => {
    if (service === undefined) throw new Error('no connection to the price service');
    const query = args[0] ?? 'solar';
    const entry = catalog.get(query);
    let answer = 'no product';
    if (entry !== undefined) {
      service.socket.write(`PRICE ${entry.cheapest.sku}\n`);
      answer = (await service.lines.next()).value as string;
    }
    process.stdout.write(
      `${restored ? 'restored' : 'cold start'}: ${entry?.count ?? 0} products in stock match "${query}"; cheapest: ${entry?.cheapest.name ?? '-'}, live price ${answer} (${service.greeting})\n`,
    );
    service.socket.end();
  },
  {
    init: async () => {
      catalog = loadCatalog();
      await connectToPriceService();
    },
  },
);
