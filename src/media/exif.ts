/**
 * EXIF orientation of a JPEG (a phone's photo): the tag that says how to turn the stored pixels for display. ffprobe
 * reports the stored size without it; Debian's ffmpeg 5.1 applies it when decoding (as frame side data), the npm
 * build (2018) does not. Reference: EXIF 2.32 (CIPA DC-008), tag 0x0112 in IFD0; JPEG markers after ITU-T T.81 Annex B.
 */
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { childEnv, ffmpegBinaries } from './ffmpeg-path.js';

/** The ffmpeg filter that turns the stored pixels as EXIF orientation 2-8 asks (transpose=0 is the plain transpose). */
export const ORIENTATION_FILTER: Record<number, string> = {
  2: 'hflip',
  3: 'hflip,vflip',
  4: 'vflip',
  5: 'transpose=0',
  6: 'transpose=1',
  7: 'transpose=3',
  8: 'transpose=2',
};

/** The orientation value (1-8) in a TIFF block (the APP1 payload after "Exif\0\0"), or null. */
export function tiffOrientation(t: Buffer): number | null {
  if (t.length < 8) return null;
  const le = t.toString('latin1', 0, 2) === 'II';
  if (!le && t.toString('latin1', 0, 2) !== 'MM') return null;
  const u16 = (o: number) => (le ? t.readUInt16LE(o) : t.readUInt16BE(o));
  const ifd = le ? t.readUInt32LE(4) : t.readUInt32BE(4);
  if (ifd + 2 > t.length) return null;
  const n = u16(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > t.length) return null;
    if (u16(e) === 0x0112 && u16(e + 2) === 3) return u16(e + 8);
  }
  return null;
}

/** The EXIF orientation of a JPEG's first APP1 Exif segment (from its first 256 kB), or null (not a JPEG, no tag). */
export function jpegOrientation(head: Buffer): number | null {
  if (head.length < 4 || head[0] !== 0xff || head[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= head.length && head[at] === 0xff) {
    const marker = head[at + 1];
    if (marker === 0xda || marker === 0xd9) return null; // image data: no more header segments
    const len = head.readUInt16BE(at + 2);
    const body = head.subarray(at + 4, at + 2 + len);
    if (marker === 0xe1 && body.toString('latin1', 0, 6) === 'Exif\0\0') return tiffOrientation(body.subarray(6));
    at += 2 + len;
  }
  return null;
}

/** Reads the start of a file and returns its JPEG EXIF orientation, or null. */
export async function fileOrientation(file: string): Promise<number | null> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return jpegOrientation(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/**
 * The EXIF orientation of the first frame of a Motion-JPEG stream (a camera's AVI/MOV: each frame is a JPEG and may
 * carry the tag): its first packet copied out by ffmpeg, or null.
 */
export function mjpegStreamOrientation(file: string, streamIndex: number): Promise<number | null> {
  const args = ['-nostdin', '-v', 'error', '-noautorotate', '-i', file, '-map', `0:${streamIndex}`, '-frames:v', '1', '-c', 'copy', '-f', 'mjpeg', '-'];
  return new Promise((done) => {
    execFile(ffmpegBinaries().ffmpeg.path, args, { encoding: 'buffer', maxBuffer: 1 << 26, env: childEnv() }, (err, stdout) => {
      done(err ? null : jpegOrientation(stdout.subarray(0, 256 * 1024)));
    });
  });
}
