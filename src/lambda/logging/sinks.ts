/**
 * Where records go: stdout (one line each), or the telemetry file descriptor Lambda hands the runtime
 * in `_LAMBDA_TELEMETRY_LOG_FD` (one binary frame each).
 *
 * @module
 */
import { writeSync } from 'node:fs';
import type { LogFormat, LogLevel } from './levels.js';

/** Writes one formatted record. */
export type LogSink = (level: LogLevel, text: string, time: Date) => void;

/**
 * One line per record on stdout: a multi-line message stays one record, its line breaks written as
 * `\r` (CloudWatch shows them as breaks within the record), as AWS's runtime does.
 */
export function stdoutSink(write: (chunk: string) => unknown = (chunk) => process.stdout.write(chunk)): LogSink {
  return (_level, text) => {
    write(`${text.replace(/\n/g, '\r')}\n`);
  };
}

/** The frame type word of a text record (`| level mask`). */
export const TEXT_FRAME_TYPE = 0xa55a0003;
/** The frame type word of a JSON record (`| level mask`). */
export const JSON_FRAME_TYPE = 0xa55a0002;

/**
 * One frame per record on `fd`, in the format Lambda's telemetry reader expects: a 16-byte big-endian
 * header (type word with the level's bits, payload length, timestamp in µs since the epoch), then the
 * UTF-8 payload. Text payloads end with a newline and keep their line breaks; JSON payloads are the
 * bare object. A failed write is retried while the descriptor is busy, else dropped: logging never
 * throws into the function's code.
 */
export function telemetrySink(fd: number, format: LogFormat, write = writeSync): LogSink {
  const header = Buffer.alloc(16);
  const type = format === 'JSON' ? JSON_FRAME_TYPE : TEXT_FRAME_TYPE;
  return (level, text, time) => {
    const payload = Buffer.from(format === 'JSON' ? text : `${text}\n`, 'utf8');
    header.writeUInt32BE((type | level.frameMask) >>> 0, 0);
    header.writeInt32BE(payload.length, 4);
    header.writeBigInt64BE(BigInt(time.getTime()) * 1000n, 8);
    writeFully(fd, Buffer.concat([header, payload]), write);
  };
}

function writeFully(fd: number, bytes: Buffer, write: typeof writeSync): void {
  let offset = 0;
  for (let attempts = 0; offset < bytes.length && attempts < 1_000; attempts++) {
    try {
      offset += write(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}
