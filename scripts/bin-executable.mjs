#!/usr/bin/env node
/**
 * Makes the built CLI executable: tsc writes dist/cli/main.js without the x bit, and `npx tessera` (the README's
 * `npx tessera listen`) runs the bin directly ("Permission denied" otherwise, unless npm happened to link it).
 */
import { chmodSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (existsSync(bin)) chmodSync(bin, 0o755);
