/**
 * A file that may be a later part of another given file: a camera splits a long recording into files of about 4 GB
 * (or 30 min; "chapters": GoPro's GH01/GH02, a camcorder's 00001/00002), and only the first holds the session's
 * pulse. Before 2026-12-02 the second part was refused as "no 1000 Hz tone burst ..." (its sound) or "no flash ..."
 * (its picture) with advice about the beep or the LED, which cannot help: its time follows from the part before it.
 * The refusal now says so when another file has the same streams (container, codecs, picture size and rate, sample
 * rate and channels) and was placed by its own pulse, and this file by none (test sync-chapters).
 */
import { shellWord, siblingName } from '../../common/shell.js';
import type { ProbedFile, StreamState } from '../streams.js';

/** The streams of a file as a device writes them: files of one camera's chapters share it. */
function layoutOf(q: ProbedFile): string {
  const streams = q.p.streams.filter((s) => s.type === 'audio' || s.type === 'video');
  const fps = (v: number | null) => (v === null ? '' : v.toFixed(2));
  return [q.p.container, ...streams.map((s) => [s.type, s.codec, s.width_px, s.height_px, fps(s.fps_avg), s.sample_rate_hz, s.channels].join(':'))].join('|');
}

/** The sentence appended to an unplaced stream's refusal when its file may continue another given file, else ''. */
export function chapterNote(s: StreamState, states: StreamState[], probes: ProbedFile[]): string {
  const byOwnPulse = (abs: string) => states.some((x) => x.abs === abs && (x.placed?.used?.length ?? 0) > 0);
  const mine = probes.find((q) => q.abs === s.abs);
  if (!mine || byOwnPulse(s.abs)) return '';
  const before = probes.find((q) => q !== mine && layoutOf(q) === layoutOf(mine) && byOwnPulse(q.abs));
  if (!before) return '';
  const joined = shellWord(siblingName(before.file, `-joined${before.file.slice(before.file.lastIndexOf('.'))}`));
  return `; if ${s.file} continues ${before.file} (a camera splits a long recording into files of about 4 GB, chapters, and only the first holds the pulse), join them in order and sync the joined file instead: ffmpeg -f concat -safe 0 -i parts.txt -c copy ${joined}, parts.txt holding the lines file '${before.file}' and file '${s.file}' (a pulse at the end too, --ends both, checks the later parts: the join can shift sound against picture there)`;
}
