/**
 * Where `mmprep audio` searches a recording for the sync beep (sync-beep.ts): where `mmprep sync` searches for it
 * (src/sync/windows.ts searchWindows with --ends both), the first and last `searchS` seconds of the file, or the whole
 * file when those two meet (a file up to 2 searchS long), when its length is unknown, or with searchS 0.
 *
 * Why not the whole file: the search costs 9-14 % of the command's CPU on 10 minutes of speech (session 48; two thirds
 * of it V8 compiling the per-candidate code that speech keeps reaching), and sync places a stream by its beeps at the
 * ends only. A beep in the middle of a long file is analysed as sound unless the search is widened (`--beep-search-s 0`).
 */

/** The default seconds searched at each end (mmprep sync's --search-s default). */
export const BEEP_SEARCH_S = 60;

/**
 * The spans of samples (from the first decoded one, [start, end)) searched in a stream of `durationS` seconds at
 * `sampleRate`, or undefined for the whole stream.
 */
export function beepSearchSpans(durationS: number | null | undefined, searchS: number, sampleRate: number): Array<[number, number]> | undefined {
  if (!(searchS > 0) || typeof durationS !== 'number' || !Number.isFinite(durationS) || 2 * searchS >= durationS) return undefined;
  return [
    [0, Math.round(searchS * sampleRate)],
    [Math.round((durationS - searchS) * sampleRate), Infinity],
  ];
}
