/**
 * `node scripts/bench-sync.mjs --help` printed nothing and started a full run (a room and a scene set made, then the
 * 2-hour speed file): briefs cite its options. It now prints them and exits 0 before loading anything.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, '..', 'scripts', 'bench-sync.mjs');

describe('bench-sync --help', () => {
  it('prints its options and exits 0 without starting a run', () => {
    for (const flag of ['--help', '-h']) {
      const r = spawnSync(process.execPath, [SCRIPT, flag], { encoding: 'utf8', timeout: 15_000 });
      expect(r.status).toBe(0);
      for (const opt of ['--set small|full', '--no-rooms', '--no-scenes', '--no-speed', '--beeps-only', '--no-beeps', '--hours', '--runs']) expect(r.stdout).toContain(opt);
      expect(r.stderr).toBe('');
    }
  }, 40_000);
});
