/**
 * Test helpers: an emulator closed at teardown, and a hand-driven "runtime" that speaks the Runtime
 * API over plain HTTP on loopback (polls, buffered posts, streamed posts with trailers).
 */
import http from 'node:http';
import { type EmulatorOptions, RuntimeApiEmulator } from '../../src/emulator/index.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Starts an emulator that is closed at teardown. */
export async function startEmulator(t: Teardown, options: EmulatorOptions = {}): Promise<RuntimeApiEmulator> {
  const emulator = await RuntimeApiEmulator.start(options);
  t.teardown(() => emulator.close());
  return emulator;
}

/** `http://host:port/2018-06-01/runtime` of an emulator. */
export function apiBase(emulator: RuntimeApiEmulator): string {
  return `http://${emulator.address}/2018-06-01/runtime`;
}

/** What a hand-driven poll of `invocation/next` got. */
export interface Polled {
  status: number;
  requestId: string | null;
  deadline: number;
  headers: Headers;
  body: string;
}

/** `GET invocation/next`. */
export async function poll(emulator: RuntimeApiEmulator): Promise<Polled> {
  const response = await fetch(`${apiBase(emulator)}/invocation/next`);
  return {
    status: response.status,
    requestId: response.headers.get('lambda-runtime-aws-request-id'),
    deadline: Number(response.headers.get('lambda-runtime-deadline-ms')),
    headers: response.headers,
    body: await response.text(),
  };
}

/** A post's answer. */
export interface Answer {
  status: number;
  body: { errorType?: string; errorMessage?: string; status?: string };
}

/** `POST invocation/{id}/response` (or `/error`) with a buffered body. */
export async function post(
  emulator: RuntimeApiEmulator,
  requestId: string,
  body: string,
  kind: 'response' | 'error' = 'response',
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${apiBase(emulator)}/invocation/${encodeURIComponent(requestId)}/${kind}`, {
    method: 'POST',
    body,
    headers,
  });
  return { status: response.status, body: JSON.parse((await response.text()) || '{}') };
}

/** A streamed response, as the Node.js runtime sends one: chunked, with error trailers declared. */
export interface StreamPlan {
  chunks: (string | Uint8Array)[];
  /** Pause between chunks, ms. */
  gapMs?: number;
  contentType?: string;
  /** `Lambda-Runtime-Function-Response-Mode`; default `streaming`. */
  mode?: string;
  trailers?: Record<string, string>;
}

/** `POST invocation/{id}/response` streamed chunk by chunk. */
export function streamResponse(emulator: RuntimeApiEmulator, requestId: string, plan: StreamPlan): Promise<Answer> {
  const [host, port] = emulator.address.split(/:(?=\d+$)/) as [string, string];
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host,
        port: Number(port),
        method: 'POST',
        path: `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
        headers: {
          'Lambda-Runtime-Function-Response-Mode': plan.mode ?? 'streaming',
          'Transfer-Encoding': 'chunked',
          'Content-Type': plan.contentType ?? 'application/octet-stream',
          Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode as number, body: JSON.parse(text || '{}') }));
      },
    );
    request.on('error', reject);
    void (async () => {
      for (const chunk of plan.chunks) {
        request.write(chunk);
        if (plan.gapMs) await new Promise((done) => setTimeout(done, plan.gapMs));
      }
      if (plan.trailers) request.addTrailers(plan.trailers);
      request.end();
    })();
  });
}

/** Restores a SnapStart emulator through a hand-driven `restore/next`. */
export async function restoreBy(emulator: RuntimeApiEmulator): Promise<number> {
  const restoreNext = fetch(`${apiBase(emulator)}/restore/next`);
  await emulator.snapshotReached();
  emulator.restore();
  return (await restoreNext).status;
}
