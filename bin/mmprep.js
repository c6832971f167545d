#!/usr/bin/env node
// Entry point: runs the built CLI (dist/). Build with `npm run build`.
import { main } from '../dist/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
