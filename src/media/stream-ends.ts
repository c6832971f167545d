/**
 * Where each audio and video stream of a file ends, by its header and by its packets, and whether it is whole: the
 * one check of a truncated or short stream (`mmprep extract`'s input check, the audio decoder's and the face
 * decoder's truncation checks, sync's `truncated` warning use its tolerance). Per stream, not per file: a faststart
 * MP4 whose picture stopped after 2 s of a 60 s session ends its sound at 60 s, and the file's end alone looked whole.
 */
import { fileSpanS, isAttachedPicture, taggedStreamEndS, type ProbeResult, type StreamInfo } from './probe.js';
import { readPacketTimes, type PacketSpan } from './packet-times.js';
import { endToleranceS } from './end-tolerance.js';

export { CODEC_DELAY_S, endToleranceS } from './end-tolerance.js';

export type StreamVerdict =
  /** Its packets reach its declared end and the file's end (within the tolerance). */
  | { kind: 'complete' }
  /** Its packets stop `missing_s` before the end its header declares (a copy that did not finish). */
  | { kind: 'truncated'; missing_s: number }
  /** Whole by its header, but it ends `short_s` before the file's longest stream (`longer`: that stream's index). */
  | { kind: 'short'; short_s: number; longer: number };

export interface StreamEnd {
  index: number;
  kind: 'audio' | 'video';
  /** Its number among the file's streams of its kind (0-based, as --stream counts). */
  n: number;
  /** Where its header says it ends on the file's timeline; null when the container does not state it exactly. */
  declared_end_s: number | null;
  /** Where its packets start and end on the file's timeline (packet-times.ts); null: no packet. */
  first_s: number | null;
  end_s: number | null;
  packets: number;
  /** The tolerance its verdict used against its own header (endToleranceS). */
  tolerance_s: number;
  verdict: StreamVerdict;
}

/**
 * Containers whose header states each stream's length exactly; ffprobe estimates it (from the bit rate) for raw
 * MP3/ADTS and MPEG-TS, and a truncated Ogg simply reports the shorter length.
 */
export function statesExactDuration(container: string | null): boolean {
  return /mov|mp4|m4a|3gp|matroska|webm|flac|wav|aiff|caf/.test(container ?? '');
}

/**
 * Where a stream ends by its header, on the file's timeline: its start + its duration (MP4/MOV, FLAC, WAV), the end
 * time its muxer wrote (Matroska/WebM DURATION tag), the container's span for a file of one stream; else null.
 */
export function declaredEndS(p: ProbeResult, s: StreamInfo): number | null {
  if (!statesExactDuration(p.container)) return null;
  const tagged = taggedStreamEndS(s);
  if (tagged !== null) return tagged;
  if (s.duration_s !== null) return (s.start_time_s ?? p.start_time_s ?? 0) + s.duration_s;
  const av = p.streams.filter((x) => x.type === 'audio' || x.type === 'video');
  const span = fileSpanS(p);
  return av.length === 1 && span !== null ? (p.start_time_s ?? 0) + span : null;
}

/** A picture that is not a video: cover art (an attached JPEG/PNG: an image codec with no frame rate or one frame). */
function isStill(s: StreamInfo, span: PacketSpan): boolean {
  return isAttachedPicture(s) || /^(mjpeg|png|bmp)$/.test(s.codec ?? '') && !((s.fps_avg ?? 0) > 0 && span.packets > 1);
}

function verdictOf(declared: number | null, span: PacketSpan, longest: PacketSpan | null): StreamVerdict {
  const end = span.end_s ?? -Infinity;
  if (declared !== null && declared - end > endToleranceS(span.packet_s)) return { kind: 'truncated', missing_s: declared - Math.max(end, span.first_s ?? declared) };
  if (longest && longest !== span && (longest.end_s ?? 0) - end > endToleranceS(span.packet_s, longest.packet_s)) {
    return { kind: 'short', short_s: (longest.end_s ?? 0) - Math.max(end, span.first_s ?? 0), longer: longest.index };
  }
  return { kind: 'complete' };
}

/**
 * Each audio and video stream's declared end, packet end and verdict (cover art left out). One packet read per file
 * (packet-times.ts), kept for clock-jumps.ts. Throws (naming the file) when ffprobe cannot read the packets.
 */
export async function streamEnds(p: ProbeResult): Promise<StreamEnd[]> {
  const { spans } = await readPacketTimes(p);
  const moving = p.streams
    .map((s) => ({ s, span: spans.find((x) => x.index === s.index) }))
    .filter((x): x is { s: StreamInfo; span: PacketSpan } => x.span !== undefined && !isStill(x.s, x.span));
  const longest = moving.reduce<PacketSpan | null>((a, x) => (a === null || (x.span.end_s ?? -Infinity) > (a.end_s ?? -Infinity) ? x.span : a), null);
  return moving.map(({ s, span }) => {
    const declared = declaredEndS(p, s);
    return {
      index: s.index,
      kind: span.kind,
      n: p.streams.filter((x) => x.type === s.type && !isAttachedPicture(x)).indexOf(s),
      declared_end_s: declared,
      first_s: span.first_s,
      end_s: span.end_s,
      packets: span.packets,
      tolerance_s: endToleranceS(span.packet_s),
      verdict: verdictOf(declared, span, longest),
    };
  });
}
