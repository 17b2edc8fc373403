#!/usr/bin/env node
/**
 * The `snapstart-runtime` bin: a Lambda custom runtime `bootstrap` for Node.js with SnapStart hooks.
 *
 * @module
 */
import { startRuntime } from './runtime.js';

// Exit explicitly: the handler may hold sockets or timers that would otherwise keep a failed runtime alive.
process.exit(await startRuntime());
