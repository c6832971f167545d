import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

// scripts/make-sync-scenes.mjs --list: the recipes of a set without rendering anything (quick).
describe('scene generator: held-out variants (issue 11)', () => {
  it('--variant N makes a held-out set (other seeds, LED places, sizes and colours, offsets); the same N twice is the same', () => {
    const list = (...extra: string[]) =>
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-sync-scenes.mjs'), '--list', '--set', 'full', ...extra], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; seed: number; offset_s: number; led: { px: number; color: string; pos: string; x?: number; y?: number } });
    const tuned = list();
    const held = list('--variant', '1');
    expect(held.length).toBe(tuned.length);
    expect(held.some((c) => tuned.some((t) => t.id === c.id || t.seed === c.seed || t.offset_s === c.offset_s))).toBe(false);
    const leds = held.filter((c) => c.led.pos === 'xy');
    expect(leds.length).toBeGreaterThan(20);
    expect(new Set(leds.map((c) => `${c.led.x},${c.led.y}`)).size).toBeGreaterThan(15);
    expect(new Set(leds.map((c) => c.led.color)).size).toBeGreaterThan(2);
    expect(leds.some((c) => ![8, 12, 16, 24, 40].includes(c.led.px))).toBe(true);
    expect(list('--variant', '1')).toEqual(held);
  });
});
