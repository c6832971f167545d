/** EXIF orientation read from a JPEG's APP1 segment (src/media/exif.ts): both byte orders, absent tag, other segments. */
import { describe, expect, it } from 'vitest';
import { jpegOrientation, ORIENTATION_FILTER, tiffOrientation } from '../src/media/exif.js';

/** A TIFF block with IFD0 holding `entries` (tag, type, value) in the given byte order. */
function tiff(le: boolean, entries: Array<[number, number, number]>): Buffer {
  const b = Buffer.alloc(8 + 2 + 12 * entries.length + 4);
  b.write(le ? 'II' : 'MM', 0, 'latin1');
  const u16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const u32 = (v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  u16(42, 2);
  u32(8, 4);
  u16(entries.length, 8);
  entries.forEach(([tag, type, v], i) => {
    u16(tag, 10 + 12 * i);
    u16(type, 12 + 12 * i);
    u32(1, 14 + 12 * i);
    u16(v, 18 + 12 * i);
  });
  return b;
}

const segment = (marker: number, body: Buffer) => {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length + 2);
  return Buffer.concat([Buffer.from([0xff, marker]), len, body]);
};
const jpeg = (...segs: Buffer[]) => Buffer.concat([Buffer.from([0xff, 0xd8]), ...segs, Buffer.from([0xff, 0xda, 0, 2])]);
const exif = (t: Buffer) => segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), t]));

describe('EXIF orientation', () => {
  it('reads tag 0x0112 in either byte order, after other entries', () => {
    expect(tiffOrientation(tiff(true, [[0x010f, 2, 0], [0x0112, 3, 8]]))).toBe(8);
    expect(tiffOrientation(tiff(false, [[0x0112, 3, 6]]))).toBe(6);
  });
  it('finds the Exif segment after a JFIF APP0, and nothing without one', () => {
    const app0 = segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'));
    expect(jpegOrientation(jpeg(app0, exif(tiff(true, [[0x0112, 3, 3]]))))).toBe(3);
    expect(jpegOrientation(jpeg(app0))).toBeNull();
    expect(jpegOrientation(jpeg(exif(tiff(true, [[0x010f, 2, 0]]))))).toBeNull();
    expect(jpegOrientation(Buffer.from('RIFF....AVI ', 'latin1'))).toBeNull();
  });
  it('orientation 1 needs no filter; 2-8 each one', () => {
    expect(ORIENTATION_FILTER[1]).toBeUndefined();
    expect(Object.keys(ORIENTATION_FILTER).map(Number)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });
});
