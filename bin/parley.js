#!/usr/bin/env node
// Entry point for `npx parley`: runs the compiled CLI (built by `npm ci` through the prepare script).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (error) => {
    console.error(`parley: ${error?.stack ?? error}`);
    process.exitCode = 2;
  },
);
