/**
 * A manifest cell in NFC ('ü' one code point) naming a folder or file that is NFD on disk ('u' + combining diaeresis,
 * as macOS writes names): "no such file" with no hint, or a "did you mean" identical to the cell (trial 2026-12-03
 * item 6). The hint now says the name exists in another Unicode form.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';
import { missingFileHint } from '../src/batch/missing-file-hint.js';

const tmp = tempDir('mmprep-unicode-hint-');
afterAll(() => tmp.cleanup());
const NFC = 'J\u00fcrgen';
const NFD = 'Ju\u0308rgen';

describe('missingFileHint: names in another Unicode form', () => {
  mkdirSync(join(tmp.dir, `Sitzung ${NFD}`));
  writeFileSync(join(tmp.dir, `Sitzung ${NFD}`, 'cam.mp4'), 'x');
  writeFileSync(join(tmp.dir, `${NFD}_lav.flac`), 'x');

  it('a folder NFD on disk, NFC in the cell', async () => {
    expect(await missingFileHint(`Sitzung ${NFC}/cam.mp4`, tmp.dir)).toBe(
      ` (exists with another Unicode form of its name: 'Sitzung ${NFD}' is NFD on disk, NFC in the cell; they look the same but differ in bytes: rename it on disk to the cell's form (e.g. convmv --nfc), or copy the name from a file listing into the cell)`,
    );
  });

  it('a file name NFD on disk, NFC in the cell (was an identical-looking "did you mean")', async () => {
    expect(await missingFileHint(`${NFC}_lav.flac`, tmp.dir)).toMatch(/^ \(exists with another Unicode form of its name: 'Ju\u0308rgen_lav\.flac' is NFD on disk, NFC in the cell;/);
  });

  it('a name NFC on disk, NFD in the cell: the rename goes the cell\'s way (--nfd) and NFC is offered (ttrial43: told --nfc)', async () => {
    writeFileSync(join(tmp.dir, `${NFC}_cam.mov`), 'x');
    expect(await missingFileHint(`${NFD}_cam.mov`, tmp.dir)).toBe(
      ` (exists with another Unicode form of its name: '${NFC}_cam.mov' is NFC on disk, NFD in the cell; they look the same but differ in bytes: rename it on disk to the cell's form (e.g. convmv --nfd), copy the name from a file listing into the cell, or save the manifest in NFC)`,
    );
  });

  it('no such hint when the file is missing in every form (negative control)', async () => {
    expect(await missingFileHint(`Sitzung ${NFC}/lav.flac`, tmp.dir)).not.toContain('Unicode');
    expect(await missingFileHint(`${NFC}_cam.mp4`, tmp.dir)).not.toContain('Unicode');
  });
});
