#!/usr/bin/env node
/**
 * The `snapstart-runtime` bin: a Lambda runtime for Node.js with SnapStart hooks.
 *
 * Lambda starts it as a container image's `ENTRYPOINT` (the handler comes as the first argument, from
 * `CMD`), as the `/var/runtime/bootstrap` of Lambda's Node.js base image (whose entrypoint script sets
 * `_HANDLER` from `CMD`), or from a custom runtime's `bootstrap` (Lambda sets `_HANDLER`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startRuntime } from './runtime.js';

/** Set by `snapstart bundle` (an esbuild `define`): a bundled runtime has no package.json beside it. */
declare const SNAPSTART_HOOKS_BUNDLED_VERSION: string | undefined;

const USAGE = `Usage: snapstart-runtime [<file.export>]
       snapstart-runtime --help | --version

The Lambda runtime for Node.js functions with SnapStart hooks. It imports the handler (its top level
registers the hooks); when AWS_LAMBDA_INITIALIZATION_TYPE is snap-start it runs the before-snapshot
hooks, calls /runtime/restore/next (so no SnapStart image label is needed) and runs the after-restore
hooks; then it serves invocations.

The handler (file.export, e.g. index.handler, resolved in LAMBDA_TASK_ROOT or else the working
directory) comes from _HANDLER, or, when _HANDLER is unset, from the first argument: a container
image's CMD, as in ENTRYPOINT ["snapstart-runtime"] with CMD ["index.handler"].

Environment: AWS_LAMBDA_RUNTIME_API (required, set by Lambda), _HANDLER, LAMBDA_TASK_ROOT,
NODE_PATH and LAMBDA_RUNTIME_DIR (module folders), AWS_LAMBDA_INITIALIZATION_TYPE,
AWS_LAMBDA_LOG_FORMAT, AWS_LAMBDA_LOG_LEVEL, _LAMBDA_TELEMETRY_LOG_FD (log records),
AWS_LAMBDA_MAX_CONCURRENCY, AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA (1: no awslambda global),
AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME (the context's fields),
SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS (default 100000), SNAPSTART_AFTER_RESTORE_DEADLINE_MS (default 9000),
SNAPSTART_RESTORE_WARM_UP (off: no warm-up), SNAPSTART_PHASE_LOG (off: no phase records),
SNAPSTART_EMF and SNAPSTART_EMF_HOOKS (on: CloudWatch EMF metrics).

Exit codes: 1 the Runtime API is missing or went away, 2 bad usage,
64 a before-snapshot hook failed, 65 an after-restore hook failed,
128 an unhandled rejection, 129 an uncaught exception or the handler could not be loaded.

Guide: docs/lambda.md in the snapstart-hooks repository.`;

/** The package version: the bundle's own, else package.json's (two levels up from `dist/lambda/`). */
function version(): string {
  if (typeof SNAPSTART_HOOKS_BUNDLED_VERSION === 'string') return SNAPSTART_HOOKS_BUNDLED_VERSION;
  return String(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
}

/** Reads the command line: the exit code to stop with at once, or `undefined` to start the runtime. */
function readCommandLine(argv: string[]): number | undefined {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError((error as Error).message.split('\n')[0] as string);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`snapstart-runtime ${version()} (Node.js ${process.version})\n`);
    return 0;
  }
  if (positionals.length > 1) {
    return usageError(
      `expected at most one argument, the handler; got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(' ')}`,
    );
  }
  const [handler] = positionals;
  if (handler === undefined) return undefined;
  const fromEnv = process.env._HANDLER;
  if (fromEnv) {
    if (fromEnv !== handler) {
      console.error(
        `snapstart-runtime: warning: _HANDLER=${JSON.stringify(fromEnv)} is set; the argument ${JSON.stringify(handler)} is ignored`,
      );
    }
  } else {
    // Exported, as the base images' entrypoint does, so the function sees its _HANDLER like on the managed runtime.
    process.env._HANDLER = handler;
  }
  return undefined;
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function usageError(message: string): number {
  process.stderr.write(`snapstart-runtime: ${message}\nRun \`snapstart-runtime --help\` for the usage.\n`);
  return 2;
}

// Exit explicitly: the handler may hold sockets or timers that would otherwise keep a failed runtime alive.
process.exit(readCommandLine(process.argv.slice(2)) ?? (await startRuntime()));
