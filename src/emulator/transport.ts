/**
 * The emulator's HTTP side: listens, reads each request (its body chunk by chunk, bounded), records
 * it, applies the answer faults, and hands it to the router. Nothing a client sends can throw out of
 * here into the hosting process.
 *
 * @module
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Endpoint } from '../runtime-api.js';
import { describeThrown } from '../util/thrown.js';
import { ANSWER_FAULTS } from './faults.js';
import type { Recorder } from './recorder.js';
import type { FaultAction, RecordedRequest } from './types.js';
import { errorAnswer, type ParsedPath, parsePath } from './wire.js';

/** A request read to its end, and the means to answer it. */
export interface Exchange {
  readonly record: RecordedRequest;
  readonly parsed: ParsedPath;
  /** Answers (once; later calls and calls after the client left are ignored). */
  answer(status: number, body: string, headers?: Readonly<Record<string, string>>): void;
  /** Whether the answer can still be sent. */
  readonly open: boolean;
  /** Calls `listener` if the connection goes before the answer. */
  onGone(listener: () => void): void;
}

/** The head of a request, before its body is read. */
export interface RequestHead {
  readonly parsed: ParsedPath;
  readonly headers: http.IncomingHttpHeaders;
}

/** What the transport asks of the emulator. */
export interface TransportHandler {
  /** The emulator's clock. */
  now(): number;
  /** How many body bytes to keep for this request (the rest is counted, not kept). */
  bodyLimit(head: RequestHead): number;
  /** A body chunk arrived. */
  onChunk(head: RequestHead, at: number, bytes: number): void;
  /** A request was read to its end and recorded. */
  onRequest(record: RecordedRequest): void;
  /** Takes an answer fault for `endpoint`, if one is injected. */
  takeFault(endpoint: Endpoint, kinds: readonly FaultAction['kind'][]): FaultAction | undefined;
  /** Handles a request; called after any delay fault. */
  route(exchange: Exchange): void;
  /** Whether the emulator is closed (a delayed request is then dropped). */
  isClosed(): boolean;
}

/** The HTTP server of one emulator. */
export class Transport {
  readonly #server: http.Server;
  readonly #recorder: Recorder;
  readonly #handler: TransportHandler;
  #address = '';

  private constructor(recorder: Recorder, handler: TransportHandler) {
    this.#recorder = recorder;
    this.#handler = handler;
    this.#server = http.createServer((request, response) => this.#receive(request, response));
    // Long polls may legitimately stay open for as long as the test wants: no request or idle timeouts.
    this.#server.requestTimeout = 0;
    this.#server.keepAliveTimeout = 0;
    // A client that sends bytes Node cannot parse gets a 400 and the connection closes; never a throw.
    this.#server.on('clientError', (_error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Listens on `host:port`. */
  static async listen(host: string, port: number, recorder: Recorder, handler: TransportHandler): Promise<Transport> {
    const transport = new Transport(recorder, handler);
    const server = transport.#server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    transport.#address = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    return transport;
  }

  /** `host:port` (IPv6 bracketed), the value for `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return this.#address;
  }

  /** Stops listening and drops every connection (pending long polls see a reset). */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    const handler = this.#handler;
    const at = handler.now();
    const receivedAt = Date.now();
    // A server-side request always has its url and method.
    const path = request.url as string;
    const head: RequestHead = { parsed: parsePath(path), headers: request.headers };
    const limit = handler.bodyLimit(head);
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let bodyBytes = 0;
    // A client that leaves mid-body: nothing to answer, and no 'error' left unhandled.
    request.on('error', () => {});
    request.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (keptBytes < limit) {
        const part = chunk.length <= limit - keptBytes ? chunk : chunk.subarray(0, limit - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      handler.onChunk(head, handler.now(), chunk.length);
    });
    request.on('end', () => {
      const record = this.#recorder.record({
        method: request.method as string,
        path,
        endpoint: head.parsed.endpoint,
        ...(head.parsed.endpoint !== undefined && head.parsed.requestId !== undefined
          ? { requestId: head.parsed.requestId }
          : {}),
        remotePort: request.socket.remotePort,
        headers: request.headers,
        trailers: { ...request.trailers },
        body: Buffer.concat(kept).toString('utf8'),
        bodyBytes,
        receivedAt,
        at,
        completedAt: handler.now(),
      });
      this.#dispatch(request, response, record, head.parsed);
    });
  }

  #dispatch(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    record: RecordedRequest,
    parsed: ParsedPath,
  ): void {
    const handler = this.#handler;
    const fault = record.endpoint === undefined ? undefined : handler.takeFault(record.endpoint, ANSWER_FAULTS);
    if (fault !== undefined) record.fault = fault.kind;
    const exchange = this.#exchange(record, parsed, response);
    handler.onRequest(record);
    if (fault?.kind === 'reset') {
      request.socket.destroy();
    } else if (fault?.kind === 'garbage') {
      request.socket.end(fault.bytes);
    } else if (fault?.kind === 'status') {
      exchange.answer(fault.status, fault.body ?? '', fault.headers);
    } else if (fault?.kind === 'delay') {
      setTimeout(() => this.#route(exchange, response), fault.ms);
    } else {
      this.#route(exchange, response);
    }
  }

  #route(exchange: Exchange, response: http.ServerResponse): void {
    if (this.#handler.isClosed()) {
      response.socket?.destroy();
      return;
    }
    try {
      this.#handler.route(exchange);
    } catch (error) {
      // A bug of the emulator must not take down the process hosting it: answer 500 and say why.
      exchange.answer(500, errorAnswer('InternalServerError', `The emulator failed: ${describeThrown(error)}`));
    }
  }

  #exchange(record: RecordedRequest, parsed: ParsedPath, response: http.ServerResponse): Exchange {
    const now = () => this.#handler.now();
    return {
      record,
      parsed,
      get open() {
        return !(response.destroyed || response.writableEnded);
      },
      answer(status, body, headers = {}) {
        if (response.destroyed || response.writableEnded) return;
        record.status = status;
        record.respondedAt = now();
        const bytes = Buffer.from(body, 'utf8');
        response.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': bytes.length });
        // A Buffer, not a string: Node would send the head in the body's encoding (UTF-8) with a string,
        // and a Latin-1 header value (an id like "café") would reach the runtime mangled.
        response.end(bytes);
      },
      onGone(listener) {
        response.on('close', () => {
          if (!response.writableEnded) listener();
        });
      },
    };
  }
}
