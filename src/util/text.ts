/**
 * Text that is safe to put in a message, a log line or a terminal: control characters escaped,
 * length bounded, surrogate pairs kept whole.
 *
 * @module
 */

// C0 and C1 control characters, DEL, the Unicode line and paragraph separators, and lone surrogates
// (half of a pair with no other half: not text, and written out as U+FFFD).
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Escapes control characters (`\n` → `\\n`, ESC → `\\u001b`, ...) so that `text` stays on one line
 * and cannot drive a terminal; a lone surrogate is escaped the same way (`\\ud800`). `keepTabs`
 * leaves tabs as they are (log records use them as separators).
 *
 * @example
 * ```ts
 * escapeControl('a\nb\u001b[31m'); // 'a\\nb\\u001b[31m'
 * ```
 */
export function escapeControl(text: string, keepTabs = false): string {
  return text.replace(CONTROL, (char) =>
    keepTabs && char === '\t' ? char : (NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

/**
 * Cuts `text` to at most `maxLength` UTF-16 code units, ending with `…` when cut, and never between
 * the two halves of a surrogate pair.
 *
 * @example
 * ```ts
 * truncate('abcdef', 4); // 'abc…'
 * ```
 */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = Math.max(0, maxLength - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose low half would be cut off
  return `${text.slice(0, end)}…`;
}

/**
 * {@link escapeControl} then {@link truncate}: the form every user-supplied string (a hook name, an
 * error reason) takes inside a message.
 */
export function boundText(text: string, maxLength = 200): string {
  return truncate(escapeControl(text), maxLength);
}
