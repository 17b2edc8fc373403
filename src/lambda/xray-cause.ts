/**
 * The `Lambda-Runtime-Function-XRay-Error-Cause` header of an invocation error: the error as an X-Ray
 * segment "cause" (`working_directory`, `exceptions`, `paths`), as AWS's Node.js runtime sends it.
 *
 * @module
 */
import { toErrorBody } from './errors.js';

/** One stack frame of an X-Ray exception. */
interface XRayFrame {
  path: string;
  line: number | null;
  label: string;
}

/** An HTTP header must stay well under the Runtime API's header limit: long stacks are cut to fit. */
const MAX_HEADER_LENGTH = 8_192;

/**
 * The X-Ray error cause of `error` as a header value: JSON with every character outside printable
 * ASCII escaped (a header carries Latin-1 at most), at most 8 KiB (frames are dropped from the end,
 * then the message is cut, to fit). `''` when nothing can be built (the header is then left out).
 *
 * @example
 * ```ts
 * xrayErrorCause(new TypeError('bad'));
 * // '{"working_directory":"/var/task","exceptions":[{"type":"TypeError","message":"bad","stack":[...]}],"paths":[...]}'
 * ```
 */
export function xrayErrorCause(error: unknown, workingDirectory = safeCwd()): string {
  const body = toErrorBody(error);
  let frames = body.trace.slice(1).map(parseFrame);
  let message = body.errorMessage;
  for (;;) {
    const cause = {
      working_directory: workingDirectory,
      exceptions: [{ type: body.errorType, message, stack: frames }],
      paths: [...new Set(frames.map((frame) => frame.path))],
    };
    const header = asciiJson(cause);
    if (header.length <= MAX_HEADER_LENGTH) return header;
    if (frames.length > 0) frames = frames.slice(0, Math.floor(frames.length / 2));
    else if (message.length > 0) message = message.slice(0, Math.floor(message.length / 2));
    else return '';
  }
}

/**
 * One stack line (`    at label (path:line:column)` or `    at path:line:column`) as an X-Ray frame.
 * A `file://` URL is written as its path; a frame without a label is `anonymous`.
 */
function parseFrame(line: string): XRayFrame {
  let text = line.trim();
  if (text.startsWith('at ')) text = text.slice(3);
  let label = 'anonymous';
  let location = text;
  const open = text.lastIndexOf(' (');
  if (open !== -1 && text.endsWith(')')) {
    label = text.slice(0, open) || 'anonymous';
    location = text.slice(open + 2, -1);
  }
  const match = /^(.*?)(?::(\d+))?(?::\d+)?$/.exec(location.replace(/^file:\/\//, '')) as RegExpExecArray;
  return { path: match[1] as string, line: match[2] === undefined ? null : Number(match[2]), label };
}

function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function safeCwd(): string {
  try {
    return process.cwd();
  } catch {
    return '';
  }
}
