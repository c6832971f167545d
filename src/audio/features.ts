/**
 * One streaming pass over the PCM: spectral frames (log-mel, RMS, ZCR), Praat-style pitch candidates and the
 * intensity contour are computed as samples arrive; the SampleBuffer keeps only the samples the widest window
 * still needs. Whole-file steps run at the end on per-frame values only: librosa's top_db clip and the DCT, the
 * deltas, the pitch path finder (it needs the global peak) and the syllable nuclei.
 */
import { AudioDecoder, type DecodedAudioInfo } from '../media/decode-audio.js';
import { deltaFeatures } from './delta.js';
import { IntensityAnalyzer } from './intensity.js';
import { syllableNuclei, type NucleiResult } from './nuclei.js';
import { resolveAudioOptions, type AudioOptions } from './options.js';
import { PitchAnalyzer } from './pitch.js';
import { SampleBuffer } from './sample-buffer.js';
import { mfccFromLogMel, SpectralAnalyzer } from './spectral.js';

export interface AudioFeatures {
  options: AudioOptions;
  sampleRate: number;
  hop: number;
  nSamples: number;
  nFrames: number;
  /** Frame-major nFrames x nMfcc. */
  mfcc: Float64Array;
  delta: Float64Array | null;
  delta2: Float64Array | null;
  deltaReason: string | null;
  /** Hz per frame, 0 when unvoiced. */
  f0: Float32Array;
  voicedProb: Float32Array;
  rms: Float32Array;
  zcr: Float32Array;
  nuclei: NucleiResult;
  /** Fraction of samples at or beyond +-0.999 of full scale. */
  clippedRatio: number;
  /** Present when decoded from a file. */
  decoded?: DecodedAudioInfo;
}

const CLIP_LEVEL = 0.999;

/** Features of a stream of mono PCM chunks at options.sampleRate. */
export async function analyzePcm(chunks: AsyncIterable<Float32Array> | Iterable<Float32Array>, options: Partial<AudioOptions> = {}): Promise<AudioFeatures> {
  const o = resolveAudioOptions(options);
  const sr = o.sampleRate;
  const spectral = new SpectralAnalyzer(o);
  const pitch = new PitchAnalyzer({
    sampleRate: sr,
    hop: o.hopLength,
    floor: o.f0Floor,
    ceiling: o.f0Ceiling,
    maxCandidates: o.f0MaxCandidates,
    silenceThreshold: o.f0SilenceThreshold,
    voicingThreshold: o.f0VoicingThreshold,
    octaveCost: o.f0OctaveCost,
    octaveJumpCost: o.f0OctaveJumpCost,
    voicedUnvoicedCost: o.f0VoicedUnvoicedCost,
  });
  const intensity = new IntensityAnalyzer(sr, o.nucleiIntensityFloor);
  const buf = new SampleBuffer();
  let clipped = 0;
  const keep = () => Math.min(spectral.minNeeded(), pitch.minNeeded(), intensity.minNeeded());
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] >= CLIP_LEVEL || chunk[i] <= -CLIP_LEVEL) clipped++;
    buf.append(chunk, keep());
    spectral.pump(buf);
    pitch.pump(buf);
    intensity.pump(buf);
  }
  buf.finish();
  spectral.pump(buf);
  pitch.pump(buf);
  intensity.pump(buf);
  return finishFeatures(o, buf, spectral, pitch, intensity, clipped);
}

function finishFeatures(o: AudioOptions, buf: SampleBuffer, spectral: SpectralAnalyzer, pitch: PitchAnalyzer, intensity: IntensityAnalyzer, clipped: number): AudioFeatures {
  const sr = o.sampleRate;
  const nSamples = buf.total ?? 0;
  const nFrames = spectral.logmel.length;
  const mfcc = mfccFromLogMel(spectral.logmel, o.nMfcc, o.topDb);
  const delta = deltaFeatures(mfcc, nFrames, o.nMfcc, o.deltaWidth, 1);
  const delta2 = deltaFeatures(mfcc, nFrames, o.nMfcc, o.deltaWidth, 2);
  const deltaReason = delta ? null : `fewer than ${o.deltaWidth} frames (${nFrames}): librosa.feature.delta needs at least width frames`;
  // Praat's global peak: max |x - mean| over the whole signal.
  const mean = nSamples > 0 ? buf.sum / nSamples : 0;
  const globalPeak = nSamples > 0 ? Math.max(buf.max - mean, mean - buf.min) : 0;
  const track = pitch.finish(globalPeak);
  const hopS = o.hopLength / sr;
  const isVoiced = (t: number) => {
    const i = Math.round(t / hopS);
    return i >= 0 && i < track.n && track.f0[i] > 0;
  };
  const nI = intensity.db.length;
  const times = new Float64Array(nI);
  for (let k = 0; k < nI; k++) times[k] = intensity.time(k);
  const nuclei = syllableNuclei(intensity.db.data.subarray(0, nI), times, nSamples / sr, isVoiced, {
    silenceDb: o.nucleiSilenceDb,
    minDipDb: o.nucleiMinDipDb,
    minPauseS: o.nucleiMinPauseS,
    minSoundingS: o.nucleiMinSoundingS,
  });
  return {
    options: o,
    sampleRate: sr,
    hop: o.hopLength,
    nSamples,
    nFrames,
    mfcc,
    delta,
    delta2,
    deltaReason,
    f0: track.f0,
    voicedProb: track.maxStrength,
    rms: spectral.rms.data.slice(0, nFrames),
    zcr: spectral.zcr.data.slice(0, nFrames),
    nuclei,
    clippedRatio: nSamples > 0 ? clipped / nSamples : 0,
  };
}

/**
 * Decodes a media file with ffmpeg (resampled to options.sampleRate, channels averaged) and computes its
 * features in one streaming pass. Bad input raises InputError naming the file.
 */
export async function computeAudioFeatures(file: string, options: Partial<AudioOptions> = {}): Promise<AudioFeatures> {
  const o = resolveAudioOptions(options);
  const dec = await AudioDecoder.open(file, { sampleRate: o.sampleRate, stream: o.stream, detectTruncation: true });
  const f = await analyzePcm(dec, o);
  f.decoded = dec.info;
  return f;
}
