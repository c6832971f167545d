/**
 * How far the decoders of this thread have got, in media seconds: `mmprep extract` listens in each session thread
 * to show progress within a session. One listener per thread (a session thread runs one session at a time). The face
 * stage reports the frames its models have analysed instead (decode-video.ts, reportProgress).
 */
export type DecodeProgressListener = (t_s: number) => void;

let listener: DecodeProgressListener | null = null;

export function onDecodeProgress(fn: DecodeProgressListener | null): void {
  listener = fn;
}

/** Called by the decoders with the media time (seconds) of what they just delivered. */
export function reportDecodeProgress(t_s: number): void {
  if (listener && Number.isFinite(t_s)) listener(t_s);
}
