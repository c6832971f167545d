/**
 * A media file that does not hold what a session needs, found before any stage runs: a stream cut short (a copy or
 * upload that did not finish: its packets stop before the end its header declares), or a stream that ends far before
 * the file's other streams (a camera whose picture stopped after 2 s of a 60 s session: whole by its own header, but
 * the session's face features would miss the rest). The decoders found a cut file only on reaching the missing part,
 * after sync and audio had run; a short stream went through with exit 0 (face.jsonl of 5 s for a 10 s session). Each
 * stream is checked on its own (stream-ends.ts), with one packet read per file that sync's clock-jump check reuses.
 */
import { InputError } from '../common/errors.js';
import { shellWord, siblingName } from '../common/shell.js';
import { checkContainerComplete } from './decode-audio.js';
import { truncatedAdvice } from './input-file.js';
import type { ProbeResult } from './probe.js';
import { streamEnds, type StreamEnd } from './stream-ends.js';

const s3 = (t: number) => `${t.toFixed(3)} s`;
const who = (e: StreamEnd) => `${e.kind} stream ${e.n}`;

/**
 * A stream that ends before the others of its file: refused, as the session's span (on that device's clock) is not
 * all there. The way on: cut the file where all its streams run (-t, stream copy) and use that, or the full file.
 */
function shortText(p: ProbeResult, e: StreamEnd, longer: StreamEnd): string {
  const p0 = p.start_time_s ?? 0;
  const end = (e.end_s ?? e.first_s ?? p0) - p0;
  const gap = (longer.end_s ?? 0) - p0 - end;
  const what = e.kind === 'video' ? 'the picture stopped before the sound (a camera that stopped recording its picture, a damaged or spliced file)' : 'the sound stopped before the picture (a microphone unplugged or muted by the device, a damaged or spliced file)';
  const name = p.file.split('/').pop() ?? p.file;
  const cut = `ffmpeg -i ${shellWord(name)} -c copy -t ${end.toFixed(3)} ${shellWord(siblingName(name, `-cut${/\.[^.]+$/.exec(name)?.[0] ?? '.mkv'}`))}`;
  return `its ${who(e)} ends at ${s3(end)} but its ${who(longer)} goes on to ${s3(end + gap)}: ${what}, so its last ${gap.toFixed(1)} s have no ${e.kind === 'video' ? 'picture' : 'sound'}; replace it with the full recording, or keep the part where all its streams run and use that file: ${cut}`;
}

function truncatedText(p: ProbeResult, e: StreamEnd): string {
  const p0 = p.start_time_s ?? 0;
  const held = e.end_s === null ? 'no packet' : `packets that end at ${s3(e.end_s - p0)}`;
  return `truncated: its ${who(e)} has ${held} but its header declares ${s3((e.declared_end_s ?? 0) - p0)} (${truncatedAdvice(p.file)})`;
}

/**
 * Why the file cannot serve a session (one phrase for an error line), or null when each of its audio and video
 * streams reaches its declared end and the file's end within the tolerance of stream-ends.ts. Throws (naming the
 * file) when ffprobe cannot read its packets: a file left unchecked would be the silent case.
 */
export async function incompleteStreams(p: ProbeResult): Promise<string | null> {
  // A WAV's header declares its data chunk's length (ffprobe takes the length from the size): compared as the decoder does.
  if (/(^|,)wav(,|$)/.test(p.container ?? '')) {
    const why = await checkContainerComplete(p.file, p).then(() => null, (e: unknown) => (e instanceof InputError ? e.message : null));
    if (why) return why;
  }
  const ends = await streamEnds(p);
  const cut = ends.find((e) => e.verdict.kind === 'truncated');
  if (cut) return truncatedText(p, cut);
  for (const e of ends) {
    const v = e.verdict;
    if (v.kind === 'short') return shortText(p, e, ends.find((x) => x.index === v.longer) as StreamEnd);
  }
  return null;
}

/** A stream that ends before its file's other streams, in extract's words (shortText). */
export interface ShortStream {
  kind: 'audio' | 'video';
  /** Its number among the file's streams of its kind (as --stream counts). */
  n: number;
  /** Where its packets end, seconds from the file's start. */
  end_s: number;
  text: string;
}

/**
 * The streams of a file that end before its other streams, by extract's check and tolerance (stream-ends.ts), in the
 * line extract fails such a session with. The standalone commands (`mmprep face` of its picture, `mmprep audio` of its
 * sound, `mmprep sync` of every stream) warn with it: what the stream holds is analysed right, but it does not cover
 * the file's span. A file of one audio or video stream has nothing to end before: its packets are not read. Throws
 * (naming the file) when ffprobe cannot read the packets, as extract's check does.
 */
export async function shortStreams(p: ProbeResult): Promise<ShortStream[]> {
  if (p.streams.filter((s) => s.type === 'audio' || s.type === 'video').length < 2) return [];
  const ends = await streamEnds(p);
  const out: ShortStream[] = [];
  for (const e of ends) {
    const v = e.verdict;
    if (v.kind !== 'short') continue;
    const end = (e.end_s ?? e.first_s ?? p.start_time_s ?? 0) - (p.start_time_s ?? 0);
    out.push({ kind: e.kind, n: e.n, end_s: end, text: `${shortText(p, e, ends.find((x) => x.index === v.longer) as StreamEnd)} (mmprep extract fails its session)` });
  }
  return out;
}
