/**
 * The WebAssembly kernels get their memory at its full size from the start (src/audio/wasm/runtime.ts instantiate):
 * no memory.grow, so no ArrayBuffer is detached. The first detach in a thread invalidates V8's ArrayBufferDetaching
 * protector and throws away that thread's optimised code (in `mmprep audio`'s main thread it came at the end of the
 * streaming pass, when the MFCC kernel grew its memory). Checked in a child Node with --trace-protector-invalidation,
 * on the built modules (dist/, as the command runs them), each kernel instantiated with 1 MB.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const dist = (p: string) => pathToFileURL(join(ROOT, 'dist', 'audio', 'wasm', p)).href;
const KERNELS = ['intensity', 'logmel', 'mfcc', 'real-fft', 'sinc', 'tone-blocks'];

describe('WebAssembly kernel memory', () => {
  it('is made at the size asked for, without growing (no ArrayBuffer detached)', () => {
    const script = `
      const { instantiate } = await import(${JSON.stringify(dist('runtime.js'))});
      const sizes = [];
      for (const k of ${JSON.stringify(KERNELS)}) {
        const { WASM_BASE64 } = await import(${JSON.stringify(dist('x'))}.replace(/x$/, k + '-bytes.js'));
        const ex = instantiate(WASM_BASE64, 1 << 20);
        sizes.push(ex ? ex.memory.buffer.byteLength : -1);
      }
      process.stdout.write('sizes ' + sizes.join(',') + '\\n');`;
    const r = spawnSync(process.execPath, ['--trace-protector-invalidation', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, MMPREP_AUDIO_WASM: '' } });
    expect(r.status, r.stderr).toBe(0);
    const sizes = /sizes (.*)/.exec(r.stdout)![1].split(',').map(Number);
    expect(sizes).toHaveLength(KERNELS.length);
    for (const s of sizes) expect(s).toBeGreaterThanOrEqual(1 << 20);
    expect(r.stdout).not.toContain('ArrayBufferDetaching');
  });
});
