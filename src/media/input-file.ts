/** Checks done before handing a path to ffmpeg, so the user gets a plain message rather than ffmpeg's. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../common/errors.js';
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
    if (code === 'ENOENT') throw new InputError('no such file: check the path', { file });
    if (code === 'EACCES') throw new InputError('permission denied', { file });
    throw new InputError(`cannot read: ${(e as Error).message}`, { file });
  }
  if (st.isDirectory()) throw new InputError('is a directory, not a media file', { file });
  if (!st.isFile()) throw new InputError('not a regular file', { file });
  if (st.size === 0) throw new InputError('empty file (0 bytes): a copy or recording that did not finish? replace it with the full file', { file });
  return abs;
}

/**
 * What to do about a file that decodes shorter than its header declares (the end of an error line). A truncated MP4
 * remuxed with `-c copy` gets a container that declares the frames it holds (checked on the demo camera cut at 60 kB
 * and 30 kB short: 118 and 165 frames declared and decoded); other containers are not offered it.
 */
export function truncatedAdvice(file: string): string {
  const name = file.split('/').pop() ?? file;
  const replace = 'a copy or upload that did not finish? replace it with the full file';
  if (!/\.mp4$/i.test(name)) return replace;
  return `${replace}, or keep the part that decodes: ffmpeg -i ${shellWord(name)} -c copy ${shellWord(siblingName(name, '-remuxed.mp4'))}, and use that file`;
}

/** The most informative line of ffmpeg's stderr, for an error message. */
export function ffmpegErrorLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(ffmpeg|ffprobe) version|^built with|^configuration:|^lib\w+ +\d|^Input #|^Output #|^Stream mapping|^Press \[q\]|^\s*(Duration|Metadata|Stream #)/.test(l));
  const err = lines.filter((l) => /error|invalid|not found|no such|could not|unable|failed|does not contain|truncat|moov atom/i.test(l));
  const pick = err.length ? err[err.length - 1] : lines[lines.length - 1];
  return (pick ?? 'ffmpeg failed').replace(/^\[[^\]]+\]\s*/, '').replace(/^\/.*?: /, '');
}
