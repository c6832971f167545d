/** Scenes rendered by scripts/make-sync-scenes.mjs for one test file (under test/.tmp, removed by the file's afterAll). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** Renders the cases `args` select (e.g. `['--set', 'busy']`) into `dir`, emptied first. */
export function renderScenes(dir: string, args: string[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-sync-scenes.mjs'), '--out', dir, ...args, '--quiet'], { stdio: 'inherit' });
}

/** A rendered case's truth.json. */
export function sceneTruth<T>(dir: string, id: string): T {
  return JSON.parse(readFileSync(join(dir, id, 'truth.json'), 'utf8')) as T;
}
