/**
 * A media file cut short (a copy or upload that did not finish) found before any stage runs: its last packets must
 * reach the end its header declares. The decoders find it too, but only once they reach the missing part: in
 * `mmprep extract` a camera cut at 60 kB of 110 kB ran sync and audio and half its face inference before the face
 * stage refused it (decoded 118 of the 250 frames), on every session and every retry. Reading the packets of the last
 * 3 s takes one ffprobe run of about 0.05 s.
 */
import { InputError } from '../common/errors.js';
import { checkContainerComplete, statesExactDuration } from './decode-audio.js';
import { truncatedAdvice } from './input-file.js';
import { fileSpanS, packetsEndS, type ProbeResult } from './probe.js';

/** Seconds before the declared end from which packets are read (the seek lands on the key frame before it). */
const TAIL_S = 3;

/**
 * Why the file is truncated (one phrase for an error line), or null when its packets reach the declared end within
 * max(0.5 s, 1 %) (the decoders' own checks are finer), or when the container does not state its length exactly
 * (MPEG-TS, Ogg, raw MP3/ADTS: ffprobe estimates it) or ffprobe cannot read the tail (the decoders then say why).
 */
export async function truncatedEnd(p: ProbeResult): Promise<string | null> {
  // ffprobe takes a WAV's length from its size: the data chunk's declared length is compared instead (as the decoder does).
  if (/(^|,)wav(,|$)/.test(p.container ?? '')) return checkContainerComplete(p.file, p).then(() => null, (e: unknown) => (e instanceof InputError ? e.message : null));
  const span = fileSpanS(p);
  if (!statesExactDuration(p.container) || span === null || !(span > 0)) return null;
  const start = p.start_time_s ?? 0;
  let end: number | null;
  try {
    end = await packetsEndS(p, Math.max(start, start + span - TAIL_S));
  } catch {
    return null;
  }
  if (end !== null && end - start >= span - Math.max(0.5, 0.01 * span)) return null;
  const held = end === null ? `no packet in its last ${TAIL_S} s` : `packets that end at ${(end - start).toFixed(3)} s`;
  return `truncated: the file has ${held} but its header declares ${span.toFixed(3)} s (${truncatedAdvice(p.file)})`;
}
