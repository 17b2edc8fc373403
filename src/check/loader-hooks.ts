/**
 * Module loader hooks (`module.register`) of the process-mode runner: append the binding reader to
 * the checked module's source, whatever compiled it before (Node itself, or tsx for TypeScript).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';

/** What the runner passes to {@link initialize}. */
export interface ReaderHookData {
  /** The checked module's file URL. */
  url: string;
  /** The source to append to it. */
  source: string;
}

let target: ReaderHookData | undefined;

/** Receives the module to extend. */
export async function initialize(data: ReaderHookData): Promise<void> {
  target = data;
}

type LoadResult = { format?: string | null; source?: string | ArrayBuffer | Uint8Array | null };
type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;

/** Appends the reader to the checked module; leaves every other module alone. */
export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (target === undefined || url.split('?')[0] !== target.url) return result;
  // Node hands a CommonJS module over without its source; giving one makes Node compile that instead.
  const source = result.source ?? (await readFile(new URL(url), 'utf8'));
  const text = typeof source === 'string' ? source : Buffer.from(source as Uint8Array).toString('utf8');
  return { ...result, source: `${text}${target.source}` };
}
