/**
 * A tiny interpreter of the CloudWatch Logs Insights commands docs/observability.md uses (filter,
 * parse with a regex, fields jsonParse, unnest, stats max/avg/count by, sort, limit), so a test can run
 * the documented queries on what the runtime really prints. Anything else throws: a query changed in the
 * docs must be taught here, not silently ignored.
 */
import { readFileSync } from 'node:fs';

type Row = Record<string, unknown>;

/** Reads `a.b.c` in a row; `undefined` where a step is missing. */
export function fieldOf(row: Row, path: string): unknown {
  if (path in row) return row[path];
  return path.split('.').reduce<unknown>((value, key) => (value as Row | undefined)?.[key], row);
}

/** Every fenced `text` block of a Markdown file that contains `marker`. */
export function documentedQueries(file: URL, marker: string): string[] {
  const blocks = [...readFileSync(file, 'utf8').matchAll(/```text\n([\s\S]*?)```/g)].map((match) => match[1] as string);
  return blocks.filter((block) => block.includes(marker));
}

const aggregates: Record<string, (values: number[]) => number> = {
  max: (values) => Math.max(...values),
  avg: (values) => values.reduce((sum, value) => sum + value, 0) / values.length,
};

type Command = [RegExp, (rows: Row[], args: string[]) => Row[]];

/** Each command the interpreter knows: its syntax, and what it does to the rows. */
const COMMANDS: Command[] = [
  [
    /^filter (\S+) like \/(.*)\/$/,
    (rows, [field, source]) =>
      rows.filter((row) => new RegExp(source as string).test(String(fieldOf(row, field as string)))),
  ],
  [
    /^filter (\S+) (=|!=) "(.*)"$/,
    (rows, [field, op, value]) => rows.filter((row) => (fieldOf(row, field as string) === value) === (op === '=')),
  ],
  [
    /^parse (\S+) \/(.*)\/$/,
    (rows, [field, source]) =>
      rows.flatMap((row) => {
        const groups = new RegExp(source as string).exec(String(fieldOf(row, field as string)))?.groups;
        return groups === undefined ? [] : [{ ...row, ...groups }];
      }),
  ],
  [
    /^fields jsonParse\((\S+)\) as (\w+)$/,
    (rows, [field, name]) =>
      rows.map((row) => ({ ...row, [name as string]: JSON.parse(String(fieldOf(row, field as string))) })),
  ],
  [
    /^unnest (\S+) into (\w+)$/,
    (rows, [field, name]) =>
      rows.flatMap((row) =>
        (fieldOf(row, field as string) as unknown[]).map((item) => ({ ...row, [name as string]: item })),
      ),
  ],
  [/^stats (.+) by (.+)$/, (rows, [spec, keys]) => stats(rows, spec as string, (keys as string).split(/,\s*/))],
  [
    /^sort (\w+) (asc|desc)$/,
    (rows, [field, order]) =>
      [...rows].sort(
        (a, b) => (order === 'desc' ? -1 : 1) * ((a[field as string] as number) - (b[field as string] as number)),
      ),
  ],
  [/^limit (\d+)$/, (rows, [count]) => rows.slice(0, Number(count))],
];

/** Runs `query` on log events (`@message` each); returns the result rows. */
export function runQuery(query: string, messages: readonly string[]): Row[] {
  let rows: Row[] = messages.map((message) => ({ '@message': message }));
  for (const command of query.trim().split(/\n\s*\|\s*/)) {
    const known = COMMANDS.map(([syntax, run]) => [command.match(syntax), run] as const).find(([match]) => match);
    if (known === undefined) throw new Error(`runQuery does not know the command: ${command}`);
    const [match, run] = known;
    rows = run(rows, (match as RegExpMatchArray).slice(1));
  }
  return rows;
}

function stats(rows: Row[], spec: string, keys: string[]): Row[] {
  const columns = spec.split(/,\s*(?=\w+\()/).map((column) => {
    const match = column.match(/^(\w+)\((\S+)\) as (\w+)$/);
    if (match === null) throw new Error(`runQuery does not know the aggregate: ${column}`);
    return { fn: match[1] as string, field: match[2] as string, alias: match[3] as string };
  });
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const values = keys.map((key) => fieldOf(row, key));
    if (values.includes(undefined)) throw new Error(`a stats key of ${keys.join(', ')} is missing in a row`);
    const key = JSON.stringify(values);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => {
    const out: Row = {};
    for (const key of keys) out[key] = fieldOf(group[0] as Row, key);
    for (const { fn, field, alias } of columns) {
      if (fn === 'count') {
        out[alias] = group.length;
        continue;
      }
      const aggregate = aggregates[fn];
      if (aggregate === undefined) throw new Error(`runQuery does not know ${fn}()`);
      const values = group.map((row) => fieldOf(row, field));
      if (!values.every((value) => typeof value === 'number')) throw new Error(`${field} is not a number in every row`);
      out[alias] = aggregate(values as number[]);
    }
    return out;
  });
}
