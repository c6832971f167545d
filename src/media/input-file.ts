/** Checks done before handing a path to ffmpeg, so the user gets a plain message rather than ffmpeg's. */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { InputError, unreadableReasonOfText } from '../common/errors.js';
import { shellWord, siblingName } from '../common/shell.js';

/**
 * Returns the absolute path (so a name beginning with '-' or holding ':' is never read as an option or protocol),
 * after checking that it exists, is a regular file and is not empty.
 */
export async function checkMediaFile(file: string): Promise<string> {
  const abs = resolve(file);
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(await missingFileReason(abs), { file });
    if (code === 'EACCES') throw new InputError(`cannot read: ${unreadableReasonOfText('Permission denied')}`, { file });
    throw new InputError(`cannot read: ${(e as Error).message}`, { file });
  }
  if (st.isDirectory()) throw new InputError(await directoryReason(abs), { file });
  if (!st.isFile()) throw new InputError('not a regular file', { file });
  if (st.size === 0) throw new InputError('empty file (0 bytes): a copy or recording that did not finish? replace it with the full file', { file });
  return abs;
}

const IMAGE_EXT = /\.(png|jpe?g|bmp|tiff?|webp)$/i;
/** A printf-style frame number in a path, as ffmpeg's image2 demuxer reads it (img%03d.png). */
const SEQ_PATTERN = /%0?\d*d/;

/** The command that turns an image sequence into a lossless video with one frame every 1/30 s (FFV1, any size). */
function sequenceAdvice(input: string, out: string): string {
  const how = input.includes('*') ? '-pattern_type glob -i' : '-i';
  return (
    `make a video of it first (t_s comes from its frame rate: put the camera's in place of 30): ` +
    `ffmpeg -framerate 30 ${how} ${shellWord(input)} -c:v ffv1 ${shellWord(out)}, and run mmprep on that`
  );
}

/** Why a path does not exist; a frame-number pattern (OpenFace's image sequences) gets what to do instead. */
async function missingFileReason(abs: string): Promise<string> {
  const name = basename(abs);
  if (!SEQ_PATTERN.test(name)) return 'no such file: check the path';
  const out = siblingName(name.replace(/[_-]*%0?\d*d/, '') || 'frames', '.mkv');
  return `an image-sequence pattern (${name.match(SEQ_PATTERN)?.[0]}) is not read, only a video or one image: ${sequenceAdvice(abs, resolve(dirname(abs), out))}`;
}

/** A directory given as the media file: say so, and when it holds images, how to make them a video (OpenFace's -fdir). */
async function directoryReason(abs: string): Promise<string> {
  const images = (await readdir(abs).catch(() => [] as string[])).filter((n) => IMAGE_EXT.test(n)).sort();
  if (!images.length) return 'is a directory, not a media file: pass the file itself';
  const ext = images[0].slice(images[0].lastIndexOf('.'));
  return (
    `is a directory of ${images.length} images (an image sequence, as OpenFace's -fdir reads), not a media file: ` +
    sequenceAdvice(`${abs}/*${ext}`, `${abs}.mkv`)
  );
}

/**
 * What to do about a file that decodes shorter than its header declares (the end of an error line). A truncated MP4
 * remuxed with `-c copy` gets a container that declares the frames it holds (checked on the demo camera cut at 60 kB
 * and 30 kB short: 118 and 165 frames declared and decoded); other containers are not offered it.
 */
export function truncatedAdvice(file: string): string {
  const replace = 'a copy or upload that did not finish? replace it with the full file';
  // A file already remuxed so is not offered another remux (ttrial52: X-remuxed-remuxed.mp4 for a damaged file).
  if (!/\.mp4$/i.test(file) || /-remuxed\.mp4$/i.test(file)) return replace;
  // The path as the command was given it (extract: as the manifest's cell, src/batch/sync-names.ts), so the line runs
  // from where the command ran (from the manifest's folder); the file's name alone ran only in its own folder.
  return `${replace}, or keep the part that decodes: ffmpeg -i ${shellWord(file)} -c copy ${shellWord(siblingName(file, '-remuxed.mp4'))}, and use that file`;
}

/**
 * What to do about a file whose packets are all there but some do not decode (data damaged inside, not a cut end): a
 * remux (-c copy) copies the damaged packets and is refused the same way (ttrial52 corrupt_mid.mp4, 300 random bytes in
 * its frames: 92 of 100 frames decoded, before and after a remux); a re-encode keeps the frames that decode (92 of 92,
 * exit 0). The pictures ffmpeg patched up are encoded as they decoded, and the copy no longer reports them.
 */
export function damagedAdvice(file: string, patched: number): string {
  const copy = siblingName(file, '-reencoded.mkv');
  const kept = patched > 0 ? ' (the pictures ffmpeg patched up go into it as they decoded, no longer counted in decode_errors)' : '';
  return `a remux (-c copy) keeps the damage; replace it with an undamaged copy, or re-encode the frames that decode and use that file: ffmpeg -i ${shellWord(file)} -c:v ffv1 -c:a copy ${shellWord(copy)}${kept}`;
}

/** The most informative line of ffmpeg's stderr, for an error message. */
export function ffmpegErrorLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(/\[(?:trace|debug|verbose|info|warning|error|fatal|panic)\] /, '').trim()) // -loglevel level+…
    .filter((l) => l && !/^(ffmpeg|ffprobe) version|^built with|^configuration:|^lib\w+ +\d|^Input #|^Output #|^Stream mapping|^Press \[q\]|^\s*(Duration|Metadata|Stream #)/.test(l));
  const err = lines.filter((l) => /error|invalid|not found|no such|could not|unable|failed|does not contain|truncat|moov atom/i.test(l));
  const pick = err.length ? err[err.length - 1] : lines[lines.length - 1];
  return (pick ?? 'ffmpeg failed').replace(/^\[[^\]]+\]\s*/, '').replace(/^\/.*?: /, '');
}
