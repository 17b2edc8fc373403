/**
 * Test helper: the shell blocks of docs/lambda.md, with the tag after `sh` that says where they run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lifecycle.js';

/** Where a block runs (see the guide's legend). */
export const TAGS = ['local', 'network', 'docker', 'cdk', 'aws'] as const;

/** Sections another part of the project owns, whose blocks keep their own conventions. */
export const FOREIGN_SECTIONS = ['Local testing: `snapstart simulate`', 'The emulator in tests'];

/** One shell block. */
export interface ShellBlock {
  /** The word after `sh`, or `''`. */
  tag: string;
  /** The `## ` section it is in. */
  section: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
}

export const guidePath = path.join(repoRoot, 'docs/lambda.md');

/** Every ```` ```sh ```` block of the guide, in order. */
export function shellBlocks(markdown = readFileSync(guidePath, 'utf8')): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  let section = '';
  let open: ShellBlock | undefined;
  let fenced = false;
  markdown.split('\n').forEach((text, index) => {
    if (open !== undefined) {
      if (/^```\s*$/.test(text)) {
        blocks.push(open);
        open = undefined;
      } else {
        open.code += `${text}\n`;
      }
      return;
    }
    if (/^```/.test(text)) {
      const sh = /^```sh(?:\s+(\S+))?\s*$/.exec(text);
      if (sh !== null && !fenced) open = { tag: sh[1] ?? '', section, line: index + 1, code: '' };
      else fenced = !fenced; // another language's fence: skip to its end
      return;
    }
    if (!fenced && text.startsWith('## ')) section = text.slice(3).trim();
  });
  return blocks;
}
