/**
 * What every field of a dataset record holds: its unit, what null means and where it comes from. schema.ts writes
 * these as the `description` of each property of schema.json (record schema 3, 2026-12-06); docs/dataset.md "Record
 * layout" says the same at more length. Before, schema.json described nothing: units lived in the names only, and
 * `rms`, `zcr` had none (ttrial50). One table: a path (`audio.frames.{field}`, `labels.{key}.gold.mean`) maps to a text,
 * or to a function of the feature field's own entry below.
 */
import { AUDIO_FIELDS, FACE_FIELDS } from './features.js';

/** A frame feature of audio.jsonl or face.jsonl: what one frame's value is (unit included) and when it is null. */
interface FieldDoc {
  what: string;
  /** When the frame's value is null (besides frames without a face, for face fields). */
  nullWhen?: string;
}

const VOICE_NULL = 'null in frames where the voice analysis (extract --voice) defines no value (unvoiced, too few periods, silent)';

/** audio.jsonl fields (docs/audio.md "Frame records"). */
export const AUDIO_FIELD_DOCS: Record<string, FieldDoc> = {
  mfcc: { what: '13 mel-frequency cepstral coefficients of the frame (librosa.feature.mfcc: log-power mel spectrum in dB, DCT-II ortho); unitless' },
  delta: { what: 'first time derivative of the 13 MFCCs over 9 frames (librosa.feature.delta), MFCC units per frame', nullWhen: 'the audio file has fewer than 9 frames' },
  delta2: { what: 'second time derivative of the 13 MFCCs over 9 frames (librosa.feature.delta order 2), MFCC units per frame squared', nullWhen: 'the audio file has fewer than 9 frames' },
  f0_hz: { what: 'fundamental frequency of the voice in Hz (Praat-style autocorrelation pitch with a path finder)', nullWhen: 'the frame is unvoiced or in the sync beep' },
  voiced: { what: 'true when the pitch path finder judged the frame voiced (boolean)', nullWhen: 'the frame is in the sync beep' },
  voiced_prob: { what: "periodicity strength of the frame's strongest pitch candidate, 0-1 (Praat's normalised autocorrelation peak; not a calibrated probability)", nullWhen: 'the frame is in the sync beep' },
  rms: { what: 'root mean square amplitude of 512 samples centred on the frame, linear, full scale = 1 (librosa.feature.rms; unitless)' },
  rms_db: { what: 'rms in dB re full scale: 20*log10(max(rms, 1e-5)), floor -100 dBFS' },
  zcr: { what: 'zero-crossing rate: the share of adjacent sample pairs of 512 samples centred on the frame whose sign differs, 0-1 per sample (librosa.feature.zero_crossing_rate)' },
  jitter_local: { what: "Praat's jitter (local) of the glottal pulses within 0.1 s around the frame, a fraction (not %)", nullWhen: VOICE_NULL },
  shimmer_local: { what: "Praat's shimmer (local) of the glottal pulses within 0.1 s around the frame, a fraction (not %)", nullWhen: VOICE_NULL },
  hnr_db: { what: "harmonics-to-noise ratio in dB (Praat's To Harmonicity (cc), nearest frame)", nullWhen: VOICE_NULL },
  f1_hz: { what: "first formant frequency in Hz (Praat's To Formant (burg), nearest frame)", nullWhen: VOICE_NULL },
  f2_hz: { what: 'second formant frequency in Hz (Praat To Formant (burg))', nullWhen: VOICE_NULL },
  f3_hz: { what: 'third formant frequency in Hz (Praat To Formant (burg))', nullWhen: VOICE_NULL },
  b1_hz: { what: 'bandwidth of the first formant in Hz (Praat To Formant (burg))', nullWhen: VOICE_NULL },
  b2_hz: { what: 'bandwidth of the second formant in Hz (Praat To Formant (burg))', nullWhen: VOICE_NULL },
  b3_hz: { what: 'bandwidth of the third formant in Hz (Praat To Formant (burg))', nullWhen: VOICE_NULL },
  sync_beep: { what: 'true in frames of the 1 kHz sync beep, which is a tone and not speech (boolean)', nullWhen: 'the audio.jsonl was made before the mask' },
};

/** Human's seven expressions, in face.jsonl's column order. */
const EXPRESSIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;

/** face.jsonl fields (docs/face.md "Record fields"); every one is null in frames without a face (face_found false). */
export const FACE_FIELD_DOCS: Record<string, FieldDoc> = {
  det_score: { what: 'BlazeFace detection confidence of the face box, 0-1' },
  mesh_score: { what: 'Face Mesh face-presence confidence, 0-1' },
  bbox_px: { what: 'box [x, y, w, h] around the 468 mesh points, in source-image pixels' },
  yaw_deg: { what: 'head yaw in degrees, positive when the subject turns to their right (docs/face.md "Head pose: signs")', nullWhen: 'gimbal lock (|roll| past 60 degrees), or the face more than 5 % outside the picture (face.jsonl pose_null_reason face_outside_picture, since 2026-12-07)' },
  pitch_deg: { what: 'head pitch in degrees (docs/face.md "Head pose: signs")', nullWhen: 'gimbal lock (|roll| past 60 degrees), or the face more than 5 % outside the picture (face.jsonl pose_null_reason face_outside_picture, since 2026-12-07)' },
  roll_deg: { what: 'head roll in degrees, an angle on a circle (-180 and 180 are one pose), positive when the face turns clockwise on screen', nullWhen: 'the face more than 5 % outside the picture (face.jsonl pose_null_reason face_outside_picture, since 2026-12-07)' },
  ear_left: { what: "eye aspect ratio of the subject's left eye (unitless; open eyes about 0.3-0.45)", nullWhen: 'the eye is not visible' },
  ear_right: { what: "eye aspect ratio of the subject's right eye (unitless; open eyes about 0.3-0.45)", nullWhen: 'the eye is not visible' },
  mar: { what: 'mouth aspect ratio: inner-lip opening over inner-lip width (unitless)', nullWhen: 'the mouth is not visible' },
  iod_px: { what: 'inter-ocular distance (outer eye corners) in source-image pixels' },
  blink: { what: 'true when the mean eye aspect ratio is under the blink threshold (boolean)', nullWhen: 'an eye is not visible, or the eyes were not seen open within the second before (a covered eye is no blink: docs/face.md "Derived features")' },
  ...Object.fromEntries(EXPRESSIONS.map((e) => [`expr_${e}`, { what: `Human's expression probability of ${e}, 0-0.99 (2 decimals)` }])),
  motion_brow: { what: 'mean speed of the brow landmarks in inter-ocular distances per second (head motion included)', nullWhen: "the face's first frame, or after a frame without it" },
  motion_eye: { what: 'mean speed of the eye-contour landmarks in inter-ocular distances per second (head motion included)', nullWhen: "the face's first frame, or after a frame without it" },
  motion_mouth: { what: 'mean speed of the lip landmarks in inter-ocular distances per second (head motion included)', nullWhen: "the face's first frame, or after a frame without it" },
  landmarks: { what: '478 (or 468) mesh points [x, y, z]: x, y in source-image pixels, z relative depth on the same pixel scale (not metric)' },
  pose_gimbal_lock: { what: 'true when yaw and pitch are null for gimbal lock (|roll| past 60 degrees; boolean)', nullWhen: 'the face.jsonl was made before the flag' },
};

type Ctx = { field: string; doc: FieldDoc; stream: 'audio' | 'face'; vector: boolean };
type Text = string | ((c: Ctx) => string);

const frameNull = (c: Ctx): string => {
  const parts = [...(c.stream === 'face' ? ['no face in the frame (face_found false)'] : []), ...(c.doc.nullWhen ? [c.doc.nullWhen] : [])];
  return parts.length ? `; null where ${parts.join(', or ')}` : '';
};
const over = (c: Ctx): string => (c.stream === 'face' ? "the video frames with a face overlapping the span (face.functionals' n counts video frames, not face.n's grid frames)" : 'the audio frames overlapping the span');
const FUN_NOTE = 'overlap-weighted: a frame at t covers [t - d/2, t + d/2] and weighs by its overlap with the span; null values are skipped and counted in n_missing';

/** Descriptions by path; `{field}` stands for any audio or face feature field, `{key}` for a label key. */
export const FIELD_DOCS: Record<string, Text> = {
  id: 'record id: SESSION/uNNNN (utterance), SESSION/wNNNNN (fixed window) or SESSION/lNNNN (labels span)',
  session_id: 'the session (source manifest row) the record comes from',
  speaker_id: "the session's speaker_id (source manifest)",
  split: 'train/val/test or the source manifest split column; speaker-disjoint',
  start_s: "start of the record's span in seconds on the session's reference clock (rounded to the µs)",
  end_s: "end of the record's span in seconds on the session's reference clock (rounded to the µs; exclusive for frames)",
  text: "the transcript's words in the span; null when the session has no transcript",
  transcript_speakers: "the transcript's speaker labels of these words, in time order; [] when it has none",
  words: "the transcript's words whose midpoint lies in the span, with their times and feature means",
  'words[].word': 'the word as the transcript spells it',
  'words[].start_s': "the word's start in seconds on the reference clock (rounded to the µs, as the record's times)",
  'words[].end_s': "the word's end in seconds on the reference clock (rounded to the µs)",
  'words[].audio': "overlap-weighted means of the audio fields over the word's whole span, and n; absent without audio features",
  'words[].audio.{field}': (c) => (c.doc.what.includes('(boolean)') ? `share of the word's audio frames (overlap-weighted, 0-1) where ${c.field} is true: ${c.doc.what}` : `mean over the word of ${c.field}: ${c.doc.what}`) + '; null when no frame in the word has a value',
  'words[].audio.n': 'audio frames overlapping the word (the frames its means are over)',
  'words[].face': "overlap-weighted means of the face fields over the word's video frames with a face, and their counts; absent without face features",
  'words[].face.{field}': (c) => (c.doc.what.includes('(boolean)') ? `share of the word's face frames (overlap-weighted, 0-1) where ${c.field} is true: ${c.doc.what}` : `mean over the word of ${c.field}: ${c.doc.what}`) + '; null when no video frame with a face overlaps the word',
  'words[].face.n': 'video frames with a face overlapping the word (the frames its means are over): 1 and 12 frames give means alike',
  'words[].face.n_missing': 'video frames overlapping the word without a face',
  audio: "the record's audio frames and functionals; null when no audio frame lies in the span (no audio for the session or the span)",
  'audio.rate_hz': 'audio frames per second (100: the 10 ms hop)',
  'audio.t0_s': 'time of the first audio frame in seconds on the reference clock; frame k is at t0_s + k / rate_hz',
  'audio.n': 'number of audio frames in [start_s, end_s): the length of every audio.frames array',
  'audio.frames': 'per-frame values of the chosen audio fields, n each',
  'audio.frames.{field}': (c) => `${c.doc.what}; one per audio frame${frameNull(c)}`,
  'audio.functionals': `functionals of each audio field over the span (${FUN_NOTE})`,
  'audio.functionals.{field}': (c) => `functionals of ${c.field} (${c.doc.what}) over ${over(c)}`,
  face: 'the face in the span (on the audio grid, or at video rate with --face-rate native); null when the session has no video, when no video frame reaches the span, or (native) when no video frame lies inside it',
  'face.rate': "'audio': resampled onto the audio grid; 'native': the video frames with their own times",
  'face.rate_hz': "grid points per second: the audio's 100 on the audio grid, the video's frame rate at native rate",
  'face.t0_s': 'time of the first grid point in seconds on the reference clock (audio grid only)',
  'face.t_s': 'time of each video frame in seconds on the reference clock (native rate only)',
  'face.n': 'number of face grid points: audio-grid frames (--face-rate audio) or video frames (native); the length of every face.frames array. Not the n of face.functionals, which counts video frames with a face',
  'face.frames': 'per-grid-point values of the chosen face fields, n each',
  'face.frames.face_found': 'true where the grid point takes its values from a video frame with a face; false where no such frame is within reach (no face, or no video frame: a dropped-frame gap)',
  'face.frames.{field}': (c) => `${c.doc.what}; one per grid point${frameNull(c)}`,
  'face.functionals': `functionals of each face field over the video frames (not the grid) overlapping the span (${FUN_NOTE})`,
  'face.functionals.{field}': (c) => `functionals of ${c.field} (${c.doc.what}) over ${over(c)}`,
  '*.functionals.{field}.mean': (c) => `overlap-weighted mean of ${c.field}${c.doc.what.includes('(boolean)') ? ' (true = 1: the share of the time it is true)' : ''}${c.field === 'roll_deg' ? ' (circular mean, wrapped into (-180, 180])' : ''} in the unit of ${c.stream}.frames.${c.field}${c.vector ? ', one per coefficient' : ''}; null when n is 0`,
  '*.functionals.{field}.std': (c) => `overlap-weighted population standard deviation of ${c.field} (West 1979) in the unit of ${c.stream}.frames.${c.field}${c.vector ? ', one per coefficient' : ''}; null when n is 0`,
  '*.functionals.{field}.min': (c) => `smallest value of ${c.field} in the frames; null when n is 0`,
  '*.functionals.{field}.max': (c) => `largest value of ${c.field} in the frames; null when n is 0`,
  '*.functionals.{field}.n': (c) => `${c.stream === 'face' ? 'video' : 'audio'} frames overlapping the span that have a value of ${c.field}`,
  '*.functionals.{field}.n_missing': (c) => `${c.stream === 'face' ? 'video' : 'audio'} frames overlapping the span whose ${c.field} is null${c.stream === 'face' ? ' (no face, or the field null in a face frame)' : ''}`,
  labels: 'one entry per label dimension (--labels); {} when the record has no rated target',
  'labels.{key}': 'the label dimension of this key: the rated target matched to the record, its gold figures, ratings and agreement',
  'labels.{key}.target': "the labels file's target the record got the ratings of",
  'labels.{key}.gold': "the gold label from the target's ratings",
  'labels.{key}.gold.mean': "mean of the target's numeric ratings (on the rating scale)",
  'labels.{key}.gold.median': "median of the target's numeric ratings",
  'labels.{key}.gold.sd': "sample standard deviation of the target's ratings; null with one rating",
  'labels.{key}.gold.majority': 'the most frequent category (categorical labels); null on a tie (majority_reason says so)',
  'labels.{key}.gold.majority_reason': 'why majority is null (a tie between categories)',
  'labels.{key}.gold.distribution': 'ratings per category (categorical labels)',
  'labels.{key}.ratings': 'every rating of the target, one per rater',
  'labels.{key}.ratings[].rater': 'rater id as in the labels file',
  'labels.{key}.ratings[].value': 'the rating as given (number, or category text)',
  'labels.{key}.agreement': "the label dimension's agreement over all targets (the same in every record)",
  'labels.{key}.agreement.icc2': 'ICC(2,1), two-way random, absolute agreement, single rater (McGraw & Wong); null when it cannot be computed',
  'labels.{key}.agreement.icc2_ci95': '95 % confidence interval [low, high] of icc2; null bounds when undefined',
  'labels.{key}.agreement.alpha': "Krippendorff's alpha of the label dimension (alpha_metric says which distance); null when undefined",
  'labels.{key}.agreement.n_targets': 'targets rated in the labels file',
  'labels.{key}.agreement.n_raters': 'raters in the labels file',
  quality: 'what the record can be trusted for: coverage of each modality, how the times were found',
  'quality.face_detection_rate': "share of the span's time (0-1) covered by video frames with a face; time without video frames (a camera's dropped-frame gap, before or after the video) counts as no face; null when the session has no video or no video frame reaches the span (schema 3; schema 2 divided by the video frames that exist)",
  'quality.voiced_ratio': "share of the span's audio frames (overlap-weighted, 0-1) the pitch analysis judged voiced; sync-beep frames are not counted; null without audio",
  'quality.sync_confidence': "confidence of the sync map's placement of the session's streams (0-1, mmprep sync); null when sync placed no stream (a single-stream session)",
  'quality.word_timing': "'source': the transcript gave both times of every word in the span; 'interpolated': some word time was made up between its neighbours (untimed words, WebVTT start-only times); null without words",
  'quality.sync_beep': 'true when the span holds audio frames of the sync beep (a tone, not speech); null when audio.jsonl does not say or there is no audio',
  'quality.sync_beep_ratio': "share of the span's audio (overlap-weighted, 0-1) in the sync beep; null as sync_beep",
  'quality.pose_gimbal_lock_ratio': "share of the span's video frames with a face (overlap-weighted, 0-1) whose yaw and pitch are null for gimbal lock; null without face frames or when face.jsonl does not say",
  'quality.present': 'which modalities the record holds (modality dropout mask)',
  'quality.present.audio': 'the record has audio frames (audio not null)',
  'quality.present.face': 'some face.frames.face_found is true (a present face always has values)',
  'quality.present.text': 'the record has text and at least one word',
  'quality.present.labels': 'the record has at least one label dimension',
  // a label from a gold trace (manifest.json labels[].kind 'trace'; trace-labels.ts)
  'trace_labels.{key}': "the gold trace of this key summarised over the record's span (manifest.json labels[].trace says the file, grid step and coverage)",
  'trace_labels.{key}.target': "the gold trace's target: the session id it was rated as",
  'trace_labels.{key}.gold': "the gold trace over the record's span: each gold sample held over its grid cell",
  'trace_labels.{key}.gold.mean': "time-weighted mean of the gold trace over the covered part of the record's span (AVEC's window label)",
  'trace_labels.{key}.gold.sd': 'time-weighted SD of the gold trace within the span (how much the gold moves in it), not across raters',
  'trace_labels.{key}.gold.n_samples': "gold samples whose grid cell overlaps the record's span",
  'trace_labels.{key}.gold.coverage': "share of the record's span the gold samples' cells cover (0-1); below --min-trace-coverage the record has no label of this key",
  'trace_labels.{key}.gold.raters_sd': "time-weighted mean of the gold file's per-time SD across raters; null when the file has no sd column",
  'trace_labels.{key}.agreement': "the dimension's agreement figures: null, with the reason in manifest.json (the raters' traces are not in a gold file)",
  'trace_labels.{key}.agreement.icc2': 'null: not computed from a gold trace',
  'trace_labels.{key}.agreement.alpha': 'null: not computed from a gold trace',
};

/** The path of a property with its feature field and label key replaced by `{field}` / `{key}`, and the field's entry. */
function normalise(path: string): { key: string; ctx: Ctx | null } {
  const fieldAt = /^(words\[\]\.(audio|face)|(audio|face)\.frames|(audio|face)\.functionals)\.([^.]+)(\..+)?$/.exec(path);
  if (fieldAt) {
    const stream = (fieldAt[2] ?? fieldAt[3] ?? fieldAt[4]) as 'audio' | 'face';
    const field = fieldAt[5];
    const table = stream === 'audio' ? AUDIO_FIELD_DOCS : FACE_FIELD_DOCS;
    const base = field.endsWith('_ratio') && path.startsWith('words[]') ? field.slice(0, -'_ratio'.length) : field;
    const doc = table[base];
    if (doc) {
      const head = fieldAt[6] ? `*.functionals.{field}${fieldAt[6]}` : `${fieldAt[1]}.{field}`;
      return { key: head, ctx: { field: base, doc, stream, vector: (stream === 'audio' ? AUDIO_FIELDS : FACE_FIELDS)[base] === 'vector' } };
    }
  }
  return { key: path.replace(/^labels\.[^.]+/, (m) => (m === 'labels' ? m : 'labels.{key}')), ctx: null };
}

/** The description of the property at `path` (dots between names, `[]` for an array's items); null when the table has none. */
export function fieldDescription(path: string): string | null {
  const { key, ctx } = normalise(path);
  const text = FIELD_DOCS[key];
  if (text === undefined) return null;
  if (typeof text === 'string') return text;
  return ctx ? text(ctx) : null;
}
