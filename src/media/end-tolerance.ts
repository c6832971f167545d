/** The one tolerance of every check of a truncated or short stream (pure: no I/O; stream-ends.ts reads the packets). */

/**
 * How far a whole stream's end may fall from where it should be: one packet of each stream compared (a video frame,
 * an audio frame: the last packet's duration is not always written, and a muxer ends a stream on a frame boundary)
 * plus the codec's delay (AAC's 1024-2112 priming samples, an MP3's 1105: up to 0.14 s at 16 kHz; an edit list trims
 * them from the header's duration and not always from the packets). Measured with both ffmpeg builds on the fixtures
 * (demo, face, sync, audio), 150 sync scene and room files (MP4, WAV, MP3, Ogg) and files cut by the advice's own
 * `ffmpeg -c copy -t` (MP4, Matroska): no whole stream's packets ended before its declared end, and the largest gap
 * between the ends of a file's whole streams was 0.027 s, against a tolerance of at least 0.17 s (README, "mmprep
 * extract").
 */
export const CODEC_DELAY_S = 0.15;

/** The tolerance of a stream's end against another's, or against its header (one stream: `b` omitted). */
export function endToleranceS(aPacketS: number, bPacketS = 0): number {
  return aPacketS + bPacketS + CODEC_DELAY_S;
}
