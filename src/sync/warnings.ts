/**
 * The warnings of a sync map a user must hear about (one line each on stderr from `mmprep sync`, counted in
 * `mmprep extract`'s warnings): a stream placed by the same camera's other clock (--share-camera-clock), a stream
 * without an end pulse under `--ends both` (drift unknown), a stream whose own pulse was found but not used and that
 * was placed by another route (`other_route`: which route, and why its pulse was not used), a search window that
 * decoded less than the file's header declares (`truncated`), a picture whose offset's 2 sd reach beyond half a frame
 * (`offset_uncertain`), a sound whose timestamps jump ahead, so that a count of its samples falls behind after the jump
 * (`timestamp_gap`, clock-jumps.ts), a soundless picture placed by one flash whose pairing with the beep nothing
 * checks (`pairing_unchecked`, pairing.ts), a picture whose decode ffmpeg reported damaged data in (`decode_errors`,
 * flash-damage.ts), a stream that ends before its file's other streams (`short_stream`, src/media/file-end.ts), two sounds placed by their pulses that share no sound at the placed offset
 * (`content_mismatch`, content-mismatch.ts) or whose content could not be checked, so that the pulse alone placed it (`content_unchecked`), a stream paired across the halves of whole files on the user's word (`one_pulse`,
 * --one-pulse, across.ts), a stream placed by its content, whose lag is the talkers' and not the beep's (`content_lag`,
 * content-lag.ts), a pulse chosen by --pick where the policy would not have placed by it (`forced_pick`, choose.ts:
 * the line adds how many candidates its window held; a trial's `extract --pick first` said nothing and counted no
 * warning although sync.json held the forced pick), a long stream placed by its start alone, whose drift nothing
 * measured (`drift_unmeasured`, report.ts), a track placed with its file's clock whose content lags it by 5-100 ms
 * (`container_lag`, place.ts containerCheck), a picture placed by its own flashes on another clock than its sound's
 * (`picture_own_clock`, place.ts flashesOwnClock), a picture placed by two flashes that agree on a skew of over 50 ms
 * from its sound (`av_skew`, place.ts agreedSkew), a picture whose drift is its sound's, unchecked by its frames
 * (`picture_drift_assumed`, continuity.ts), and a `not_found` or refused candidate's line that carries the --tone-hz hint
 * (toneHzHint), a reference without a usable pulse beside sounds placed by content that have one
 * (`reference_without_pulse`, report.ts). Other codes stay in sync.json and the table.
 */
import type { SyncMap } from './clock.js';

const TOLD = new Set(['av_skew', 'camera_clock_shared', 'container_lag', 'content_lag', 'content_mismatch', 'content_unchecked', 'continuity_unchecked', 'decode_errors', 'drift_unmeasured', 'forced_pick', 'no_end_pulse', 'offset_uncertain', 'one_pulse', 'other_route', 'pairing_unchecked', 'picture_drift_assumed', 'picture_own_clock', 'reference_without_pulse', 'short_stream', 'timestamp_gap', 'truncated']);

/**
 * A stream's `not_found` (or refused candidate's) line that carries the --tone-hz hint (`... (but a tone burst at about
 * 2000 Hz at 1.500 s: --tone-hz 2000?)`): told too. A session placed anyway (by content, exit 0) kept it in sync.json
 * only, so a lab whose beep is not at --tone-hz got every stream at the talkers' lag (sd 8.75 ms, where its beeps time
 * them to about 0.3 ms) with no word of why (ttrial56).
 */
function toneHzHint(w: { code: string; message?: string }): boolean {
  return (w.code === 'not_found' || w.code === 'unplaceable_pulse') && /: --tone-hz [\d.]+\?\)$/.test(w.message ?? '');
}

/**
 * `<file> <kind> stream <n>: <code>: <message>` per warning worth telling. A `no_end_pulse` that several streams share
 * word for word (a session recorded without an end pulse, under --ends both) is one line naming them (it was one line
 * per stream: three for the demo), `every stream (<files>)` when all have it, at the first one's place.
 */
export function syncWarningLines(map: SyncMap): string[] {
  const told = map.streams.flatMap((e) => {
    const ws = Array.isArray(e.warnings) ? (e.warnings as Array<{ code: string; message?: string }>) : [];
    return ws.filter((w) => TOLD.has(w.code) || toneHzHint(w)).map((w) => ({ who: `${e.file} ${e.kind} stream ${e.stream}`, file: e.file, code: w.code, message: w.code === 'forced_pick' ? withCandidates(w.message ?? '', e.detections) : w.message ?? '' }));
  });
  const lines: string[] = [];
  for (const t of told) {
    const same = t.code === 'no_end_pulse' ? told.filter((x) => x.code === t.code && x.message === t.message) : [t];
    if (same[0] !== t) continue;
    const who = same.length === 1 ? t.who : same.length === map.streams.length ? `every stream (${[...new Set(same.map((x) => x.file))].join(', ')})` : same.map((x) => x.who).join(', ');
    lines.push(`${who}: ${t.code}: ${t.message}`.trimEnd());
  }
  return lines;
}

/**
 * A forced_pick message with the candidates of its window (sync.json `detections[]`): what --pick chose among how many,
 * e.g. `...; check it: 2 candidates in its start window, at 1.502 s (chosen) and 3.502 s`.
 */
function withCandidates(message: string, detections: unknown): string {
  const m = /chose the (start|end) \S+ at (\S+) s/.exec(message);
  if (!m || !Array.isArray(detections)) return message;
  const times = (detections as Array<{ window?: string; t_s?: number }>).filter((d) => d.window === m[1] && typeof d.t_s === 'number').map((d) => d.t_s!.toFixed(3));
  if (times.length === 0) return message;
  const named = times.slice(0, 5).map((t) => (t === m[2] ? `${t} s (chosen)` : `${t} s`));
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  const more = times.length > 5 ? ` (and ${times.length - 5} more)` : '';
  return `${message}: ${times.length} candidate${times.length === 1 ? '' : 's'} in its ${m[1]} window, at ${list}${more}`;
}
