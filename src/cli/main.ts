#!/usr/bin/env node
/**
 * The `snapstart` bin.
 *
 * @module
 */
import { main } from './commands.js';

process.exitCode = await main(process.argv.slice(2));
