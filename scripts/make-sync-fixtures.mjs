#!/usr/bin/env node
/**
 * Makes fixtures/sync/: copies the real read-speech clips that the sync tests mix beeps, noise and reverberation into
 * (the mixtures themselves are made at test time, never committed).
 *   node scripts/make-sync-fixtures.mjs [SPEECH_DIR]   (default: ../shared/media/speech beside the checkout)
 */
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = resolve(process.argv[2] ?? join(root, '..', 'shared', 'media', 'speech'));
const out = join(root, 'fixtures', 'sync', 'speech');
mkdirSync(out, { recursive: true });
const names = readdirSync(src).filter((n) => /^\d{3}\.wav$/.test(n) || n === 'COPYRIGHT' || n === 'cards.transcription').sort();
if (!names.some((n) => n.endsWith('.wav'))) throw new Error(`no NNN.wav speech clips in ${src}`);
let bytes = 0;
for (const n of names) {
  copyFileSync(join(src, n), join(out, n));
  bytes += statSync(join(out, n)).size;
}
console.log(`fixtures/sync/speech: ${names.length} files, ${bytes} bytes from ${src}`);
