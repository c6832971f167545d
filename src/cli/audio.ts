import type { ProbeResult } from '../media/probe.js';
import { Option, type Command } from 'commander';
import { AUDIO_DEFAULTS, FEATURE_RESAMPLER, MIN_FORMANT_CEILING_HZ, resolveAudioOptions, SPILL_AFTER_S, spillAfterFrames, type AudioOptions } from '../audio/options.js';
import { InputError } from '../common/errors.js';
import type { OutputFormat } from '../common/records.js';
import type { PrestartedDecode } from '../media/decode-audio.js';
import { action, choiceOption, fileOf, numberOption, refuseUnwritableOutputs } from './run.js';
import { BEEP_SEARCH_S } from '../audio/beep-search.js';

interface Opts extends Partial<AudioOptions> {
  output?: string;
  out?: string;
  format: OutputFormat;
  summary?: string;
  sync?: string;
  nucleiMinPause?: number;
  nucleiMinSounding?: number;
  voiceWindow?: number;
  keepSyncBeep?: boolean;
  toneHz?: number;
  beepSearchS?: number;
  spillAfter?: number;
}

const D = AUDIO_DEFAULTS;
const int = (name: string, min = 1) => numberOption(name, { integer: true, min });
const pos = (name: string) => numberOption(name, { min: 0 });

export function register(program: Command): void {
  const cmd = program
    .command('audio')
    .description('per-frame MFCC + deltas, F0 with voicing, RMS, ZCR, optionally voice quality (--voice: jitter, shimmer, HNR, formants) (JSONL/CSV) and a summary with speaking rate, pauses, F0 statistics and functionals')
    .argument('<media>', 'audio or video file ffmpeg can read (use ./-name or -- for names beginning with "-")');
  addInputOutputOptions(cmd);
  addSpectralOptions(cmd);
  addPitchOptions(cmd);
  addNucleiOptions(cmd);
  addVoiceAndBeepOptions(cmd);
  cmd.action(action(runAudio));
}

/** Where the records and summary go, which stream is read, and the sync map that puts t_s on the reference clock. */
function addInputOutputOptions(cmd: Command): void {
  cmd
    .option('-o, --output <file>', 'frame records file (default: stdout)')
    .addOption(new Option('--out <file>', 'same as --output').hideHelp())
    .option('--format <fmt>', 'jsonl or csv', choiceOption('--format', ['jsonl', 'csv'] as const), 'jsonl')
    .option('--summary <file>', 'write the summary JSON to this file')
    .option('--stream <n>', 'audio stream (0-based among audio streams)', int('--stream', 0), D.stream)
    .option('--channel <n>', "analyse this channel of the stream alone (0-based; default: the channels' average, as librosa.to_mono)", int('--channel', 0))
    .option('--sync <sync.json>', "put t_s on the sync map's reference clock (t_src_s keeps the source time)");
}

/** Frames, STFT and mel/MFCC parameters (librosa's names and defaults), RMS and ZCR. */
function addSpectralOptions(cmd: Command): void {
  cmd
    .option('--sr <hz>', 'analysis sample rate (ffmpeg resamples)', int('--sr', 1000), D.sampleRate)
    .option('--n-fft <n>', 'FFT size (power of two)', int('--n-fft', 16), D.nFft)
    .option('--win-length <n>', 'Hann window length in samples, centred in n_fft', int('--win-length', 2), D.winLength)
    .option('--hop <n>', 'hop length in samples (frame i at t = i*hop/sr)', int('--hop', 1), D.hopLength)
    .option('--n-mels <n>', 'mel bands (Slaney scale, area-normalised)', int('--n-mels', 1), D.nMels)
    .option('--fmin <hz>', 'lowest mel edge', pos('--fmin'), D.fmin)
    .option('--fmax <hz>', 'highest mel edge (default sr/2)', pos('--fmax'))
    .option('--n-mfcc <n>', 'MFCC coefficients', int('--n-mfcc', 1), D.nMfcc)
    .option('--top-db <db>', 'power_to_db top_db clip below the whole-file maximum (negative = off)', numberOption('--top-db'), D.topDb)
    .option('--delta-width <n>', 'Savitzky-Golay width of the deltas (odd)', int('--delta-width', 3), D.deltaWidth)
    .option('--rms-frame-length <n>', 'RMS and ZCR frame length in samples', int('--rms-frame-length', 2), D.rmsFrameLength);
}

/** Praat's To Pitch (ac) parameters. */
function addPitchOptions(cmd: Command): void {
  cmd
    .option('--f0-floor <hz>', 'pitch floor', pos('--f0-floor'), D.f0Floor)
    .option('--f0-ceiling <hz>', 'pitch ceiling', pos('--f0-ceiling'), D.f0Ceiling)
    .option('--f0-max-candidates <n>', 'pitch candidates per frame (Praat)', int('--f0-max-candidates', 2), D.f0MaxCandidates)
    .option('--f0-silence-threshold <x>', 'Praat silence threshold (fraction of the global peak)', pos('--f0-silence-threshold'), D.f0SilenceThreshold)
    .option('--f0-voicing-threshold <x>', 'Praat voicing threshold', pos('--f0-voicing-threshold'), D.f0VoicingThreshold)
    .option('--f0-octave-cost <x>', 'Praat octave cost per octave', pos('--f0-octave-cost'), D.f0OctaveCost)
    .option('--f0-octave-jump-cost <x>', 'Praat octave-jump cost', pos('--f0-octave-jump-cost'), D.f0OctaveJumpCost)
    .option('--f0-voiced-unvoiced-cost <x>', 'Praat voiced/unvoiced transition cost', pos('--f0-voiced-unvoiced-cost'), D.f0VoicedUnvoicedCost);
}

/** Syllable nuclei (de Jong & Wempe's Praat script) for speaking rate and pauses. */
function addNucleiOptions(cmd: Command): void {
  cmd
    .option('--nuclei-silence-db <db>', 'syllable peaks must exceed the 0.99 intensity quantile plus this (negative dB)', numberOption('--nuclei-silence-db'), D.nucleiSilenceDb)
    .option('--nuclei-min-dip-db <db>', 'a peak must stand this far above the dip before the next peak', pos('--nuclei-min-dip-db'), D.nucleiMinDipDb)
    .option('--nuclei-min-pause <s>', 'shortest silence counted as a pause', pos('--nuclei-min-pause'), D.nucleiMinPauseS)
    .option('--nuclei-min-sounding <s>', 'shortest sounding interval', pos('--nuclei-min-sounding'), D.nucleiMinSoundingS)
    .option('--nuclei-intensity-floor <hz>', 'pitch floor of the intensity contour (window 6.4/floor s)', pos('--nuclei-intensity-floor'), D.nucleiIntensityFloor);
}

/** Voice quality (--voice), the sync beep left out of the analysis, and the digits of the records. */
function addVoiceAndBeepOptions(cmd: Command): void {
  cmd
    .option('--voice', "voice quality as Praat's voice report: jitter, shimmer, HNR, formants F1-F3 per frame and per file (the signal in memory, or past --spill-after in a temp file)", false)
    .option('--voice-floor <hz>', 'pitch floor of the voice measures (Praat voice report: 75)', pos('--voice-floor'), D.voiceFloor)
    .option('--voice-ceiling <hz>', 'pitch ceiling of the voice measures (Praat voice report: 600)', pos('--voice-ceiling'), D.voiceCeiling)
    .option('--voice-window <s>', 'window of the per-frame jitter and shimmer, centred on the frame', pos('--voice-window'), D.voiceWindowS)
    .option('--formant-ceiling-hz <hz>', `with --voice: Praat's maximum formant, the band the 5 formants are looked for in (5500 for adult female voices, 5000 for male, higher for children; ${MIN_FORMANT_CEILING_HZ} to below the rate the voice measures read the recording at: its own up to 48 kHz, else --sr; above that rate's Nyquist frequency the sound is up-sampled, as in Praat; default ${D.formantCeilingHz})`, pos('--formant-ceiling-hz'))
    .option('--keep-sync-beep', 'analyse the sync beep as sound (default: its frames get null pitch and voicing and are left out of the summary)', false)
    .option('--tone-hz <hz>', 'frequency of the sync beep that is left out (as mmprep sync)', numberOption('--tone-hz', { min: 20, max: 20000 }), 1000)
    .option('--beep-search-s <s>', "seconds searched for the sync beep at each end of the file, as mmprep sync's --search-s (a beep in between is analysed as sound); 0 = the whole file", numberOption('--beep-search-s', { min: 0 }), BEEP_SEARCH_S)
    .option('--digits <n>', 'significant digits of floats in the records (0 = full precision)', int('--digits', 0), D.digits)
    .option('--spill-after <s>', 'recordings longer than this many seconds keep their per-frame values (and, with --voice, the signal) in temp files in $TMPDIR, not memory (same output)', pos('--spill-after'), SPILL_AFTER_S);
}

type AudioCliOpts = Opts & { sr: number; hop: number; fmax?: number };

/** The voice measures' own flags given without --voice would do nothing: refused rather than silently ignored. */
function refuseVoiceFlagsWithoutVoice(o: AudioCliOpts, cmd: Command): void {
  if (o.voice) return;
  const given = (['voiceFloor', 'voiceCeiling', 'voiceWindow', 'formantCeilingHz'] as const).filter((k) => cmd.getOptionValueSource(k) === 'cli');
  if (given.length === 0) return;
  const flags = given.map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
  throw new InputError(`bad parameters: ${flags.join(', ')} ${flags.length > 1 ? 'need' : 'needs'} --voice (they set the voice measures, which only --voice computes): add --voice or leave ${flags.length > 1 ? 'them' : 'it'} out`);
}

/**
 * The options a check of resolveAudioOptions (src/audio/options.ts, library names) is about, by its message's start:
 * the line names the flags to change (a new user's trial: `--f0-floor 700` was told "need 0 < f0 floor < f0 ceiling").
 */
const PARAMETER_FLAGS: Array<[string, string]> = [
  ['sample rate', '--sr'],
  ['n_fft', '--n-fft'],
  ['win length', '--win-length'],
  ['hop', '--hop'],
  ['n_mels', '--n-mels'],
  ['n_mfcc', '--n-mfcc'],
  ['need 0 <= fmin', '--fmin/--fmax'],
  ['delta width', '--delta-width'],
  ['RMS frame length', '--rms-frame-length'],
  ['need 0 < f0 floor', '--f0-floor/--f0-ceiling (defaults 65 and 600 Hz)'],
  ['f0 ceiling', '--f0-ceiling'],
  ['f0 max candidates', '--f0-max-candidates'],
  ['f0 silence threshold', '--f0-silence-threshold'],
  ['f0 voicing threshold', '--f0-voicing-threshold'],
  ['top_db', '--top-db'],
  ['nuclei silence', '--nuclei-silence-db'],
  ['digits', '--digits'],
  ['need 0 < voice floor', '--voice-floor/--voice-ceiling (defaults 75 and 600 Hz)'],
  ['voice ceiling', '--voice-ceiling'],
  ['voice window', '--voice-window'],
];

/** `mmprep audio MEDIA`: the options checked as a whole (one bad-parameters line), then the extraction. */
async function runAudio(media: string, o: AudioCliOpts, cmd: Command): Promise<void> {
  const params = audioParams(o);
  refuseVoiceFlagsWithoutVoice(o, cmd);
  try {
    resolveAudioOptions(params);
  } catch (e) {
    const message = (e as Error).message;
    const flags = PARAMETER_FLAGS.find(([start]) => message.startsWith(start))?.[1];
    throw new InputError(`bad parameters: ${flags ? `${flags}: ` : ''}${message}`);
  }
  await refuseUnwritableOutputs([fileOf(o.out ?? o.output), o.summary]);
  // The pitch worker first (main.ts started it before parsing): its start-up runs beside this thread's loading of the
  // analysis code (pitch-worker-start.ts).
  const { PrestartedPitchWorker, pitchParams } = await import('../audio/pitch-worker-start.js');
  const pitchWorker = PrestartedPitchWorker.startOrEarly();
  let prestarted: PrestartedDecode | null = null;
  try {
    // A mono PCM WAV at the analysis rate is read without ffprobe and ffmpeg (media/wav-direct.ts): its header is the probe.
    const wav = await import('../media/wav-direct.js');
    const direct = wav.directWavProbe(media, { sampleRate: params.sampleRate ?? AUDIO_DEFAULTS.sampleRate, stream: params.stream, channel: params.channel });
    // Such a WAV the pitch worker reads itself, from now: it need not wait for this thread's first chunk.
    const layout = wav.wavLayoutOf(direct ?? undefined);
    if (layout) {
      const resolved = resolveAudioOptions(params);
      pitchWorker?.readWav(pitchParams(resolved, spillAfterFrames(resolved, o.spillAfter)), layout);
    }
    // Else ffprobe reads the file while this thread loads the analysis code (the decoder then uses its result; a probe
    // error surfaces there, in the same order as before). ffmpeg's decode starts beside it, as a mono source (or a WAV's
    // header) needs it: the decoder adopts it when the probe agrees, else it is killed and started again with the downmix. The same
    // ffprobe run reads the packet times that shortStreams reads of a file of two streams or more (a camera's; one
    // ffprobe start less, ~0.15 CPU s with Debian's build; probe-packets.ts, whose probe is probe()'s); for a file of
    // one stream they are read in vain (a 10-minute 128 kbit/s MP3's 23 000 packets: ~0.03 CPU s), under 16 MB only.
    const probed = direct ? Promise.resolve(direct) : (await import('../media/probe-packets.js')).probeWithPacketTimes(media);
    probed.catch(() => undefined);
    // A sound that ends before the file's picture (extract's line, src/media/file-end.ts; the features cover the sound
    // there is): its packet read runs beside the analysis, not after it.
    const shortP = probed.then(async (p) => (await import('../media/file-end.js')).shortStreams(p));
    shortP.catch(() => undefined);
    if (!direct) prestarted = (await import('../media/decode-audio.js')).PrestartedDecode.start(media, { sampleRate: params.sampleRate, stream: params.stream, resampler: FEATURE_RESAMPLER });
    const { extractAudio } = await import('../audio/extract.js');
    // Loaded while the analysis runs: after it, its import (the file read on libuv's threads) was 2-24 ms of wall on the
    // command's tail under load (timeline marks, docs/benchmarks-history.md).
    const warningsCode = import('../audio/source-warnings.js');
    warningsCode.catch(() => undefined);
    const summary = await extractAudio(media, { ...params, probed, prestarted, out: o.out ?? o.output, format: o.format, summaryPath: o.summary, pitchWorker, syncPath: o.sync, keepSyncBeep: o.keepSyncBeep, toneHz: o.toneHz, beepSearchS: o.beepSearchS, spillAfterS: o.spillAfter });
    const { audioSourceWarnings } = await warningsCode;
    const short = (await shortP).filter((s) => s.kind === 'audio' && s.n === (params.stream ?? 0));
    for (const w of [...audioSourceWarnings(summary, media), ...short.map((s) => s.text)]) process.stderr.write(`mmprep audio: ${media}: warning: ${w}\n`);
    const late = o.sync ? null : await lateSoundNote(await probed, params.stream ?? 0);
    if (late) process.stderr.write(`mmprep audio: ${media}: note: ${late}\n`);
  } finally {
    prestarted?.dispose();
    pitchWorker?.dispose();
  }
}

/**
 * Without --sync, t_s counts from the sound's first sample (librosa's convention), while `mmprep face` gives a file's
 * frames its presentation times: in a camera file whose sound starts later on its timeline (an MPEG-TS camcorder file
 * at 1.4 s, a `-c copy` cut) the two outputs' t_s are that far apart (ttrial55). Said when the file has a picture.
 */
export async function lateSoundNote(p: ProbeResult, stream: number): Promise<string | null> {
  const { firstSampleTime, pickStream } = await import('../media/probe.js');
  if (!p.streams.some((s) => s.type === 'video')) return null;
  const t0 = await firstSampleTime(p, pickStream(p, 'audio', stream)).catch(() => null);
  if (t0 === null || !Number.isFinite(t0) || Math.abs(t0) < 0.0005) return null;
  const t = Number(t0.toFixed(3));
  return `t_s counts from the sound's first sample, which is at ${t} s on the file's timeline, while mmprep face gives this file's frames their times on that timeline: add ${t} s to these t_s to pair them with its face records (or give both --sync sync.json)`;
}

/** The command's options as AudioOptions (a negative --top-db turns the clip off). */
function audioParams(o: AudioCliOpts): Partial<AudioOptions> {
  return {
    sampleRate: o.sr,
    stream: o.stream,
    channel: o.channel,
    nFft: o.nFft,
    winLength: o.winLength,
    hopLength: o.hop,
    nMels: o.nMels,
    fmin: o.fmin,
    fmax: o.fmax ?? null,
    nMfcc: o.nMfcc,
    topDb: o.topDb !== undefined && o.topDb !== null && o.topDb < 0 ? null : o.topDb,
    deltaWidth: o.deltaWidth,
    rmsFrameLength: o.rmsFrameLength,
    f0Floor: o.f0Floor,
    f0Ceiling: o.f0Ceiling,
    f0MaxCandidates: o.f0MaxCandidates,
    f0SilenceThreshold: o.f0SilenceThreshold,
    f0VoicingThreshold: o.f0VoicingThreshold,
    f0OctaveCost: o.f0OctaveCost,
    f0OctaveJumpCost: o.f0OctaveJumpCost,
    f0VoicedUnvoicedCost: o.f0VoicedUnvoicedCost,
    nucleiSilenceDb: o.nucleiSilenceDb,
    nucleiMinDipDb: o.nucleiMinDipDb,
    nucleiMinPauseS: o.nucleiMinPause,
    nucleiMinSoundingS: o.nucleiMinSounding,
    nucleiIntensityFloor: o.nucleiIntensityFloor,
    digits: o.digits,
    voice: o.voice,
    voiceFloor: o.voiceFloor,
    voiceCeiling: o.voiceCeiling,
    voiceWindowS: o.voiceWindow,
    formantCeilingHz: o.formantCeilingHz ?? D.formantCeilingHz,
  };
}
