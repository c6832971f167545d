/**
 * Which frame features go into a dataset (--audio-features, --face-features), by field name of the pinned
 * audio.jsonl / face.jsonl records or by group name.
 */
import { open } from 'node:fs/promises';
import { InputError } from '../common/errors.js';

/** 'angle': a scalar in degrees on a circle (roll: -180 and 180 are one pose), interpolated and summarised as such (functionals.ts WeightedAngle). */
export type FieldShape = 'scalar' | 'angle' | 'bool' | 'vector' | 'matrix';

export const AUDIO_FIELDS: Record<string, FieldShape> = {
  mfcc: 'vector',
  delta: 'vector',
  delta2: 'vector',
  f0_hz: 'scalar',
  voiced: 'bool',
  voiced_prob: 'scalar',
  rms: 'scalar',
  rms_db: 'scalar',
  zcr: 'scalar',
  // written by `mmprep audio --voice` (issue 15): Praat's voice measures per frame, null in unvoiced frames
  jitter_local: 'scalar',
  shimmer_local: 'scalar',
  hnr_db: 'scalar',
  f1_hz: 'scalar',
  f2_hz: 'scalar',
  f3_hz: 'scalar',
  b1_hz: 'scalar',
  b2_hz: 'scalar',
  b3_hz: 'scalar',
  // the sync beep's mask (src/audio/sync-beep.ts; trial29 SILENT-3): by name only, not in `all` (older audio.jsonl lack it)
  sync_beep: 'bool',
};

/** Audio fields only present when the audio was analysed with --voice. */
export const VOICE_AUDIO_FIELDS = ['jitter_local', 'shimmer_local', 'hnr_db', 'f1_hz', 'f2_hz', 'f3_hz', 'b1_hz', 'b2_hz', 'b3_hz'];

const EXPR = ['expr_angry', 'expr_disgust', 'expr_fear', 'expr_happy', 'expr_sad', 'expr_surprise', 'expr_neutral'];

export const FACE_FIELDS: Record<string, FieldShape> = {
  det_score: 'scalar',
  mesh_score: 'scalar',
  bbox_px: 'vector',
  yaw_deg: 'scalar',
  pitch_deg: 'scalar',
  roll_deg: 'angle',
  ear_left: 'scalar',
  ear_right: 'scalar',
  mar: 'scalar',
  iod_px: 'scalar',
  blink: 'bool',
  ...Object.fromEntries(EXPR.map((e) => [e, 'scalar' as FieldShape])),
  motion_brow: 'scalar',
  motion_eye: 'scalar',
  motion_mouth: 'scalar',
  landmarks: 'matrix',
  // why yaw/pitch are null (roll past 60 degrees; src/face/quality.ts; trial29 SILENT-5): by name only, not in `all` (older face.jsonl lack it)
  pose_gimbal_lock: 'bool',
};

/** Fields selectable by name only: feature files of an older mmprep lack them, so `all` would refuse those files. */
const BY_NAME_ONLY = ['sync_beep', 'pose_gimbal_lock'];

export const AUDIO_GROUPS: Record<string, string[]> = {
  all: Object.keys(AUDIO_FIELDS).filter((f) => !VOICE_AUDIO_FIELDS.includes(f) && !BY_NAME_ONLY.includes(f)),
  voice: VOICE_AUDIO_FIELDS,
  mfcc: ['mfcc'],
  deltas: ['delta', 'delta2'],
  pitch: ['f0_hz', 'voiced', 'voiced_prob'],
  energy: ['rms', 'rms_db'],
};

export const FACE_GROUPS: Record<string, string[]> = {
  pose: ['yaw_deg', 'pitch_deg', 'roll_deg'],
  eyes: ['ear_left', 'ear_right', 'blink'],
  mouth: ['mar'],
  expr: EXPR,
  motion: ['motion_brow', 'motion_eye', 'motion_mouth'],
  scores: ['det_score', 'mesh_score'],
  geometry: ['bbox_px', 'iod_px'],
  all: Object.keys(FACE_FIELDS).filter((f) => f !== 'landmarks' && !BY_NAME_ONLY.includes(f)),
};

export const DEFAULT_AUDIO_FEATURES = 'mfcc,delta,delta2,f0_hz,voiced,voiced_prob,rms,rms_db,zcr';
export const DEFAULT_FACE_FEATURES = 'pose,eyes,mouth,expr';

/** Expands a comma list of fields and groups into field names in canonical (declaration) order; '' or 'none': none. */
export function parseFeatureList(text: string, kind: 'audio' | 'face'): string[] {
  const fields = kind === 'audio' ? AUDIO_FIELDS : FACE_FIELDS;
  const groups = kind === 'audio' ? AUDIO_GROUPS : FACE_GROUPS;
  const want = new Set<string>();
  const t = text.trim();
  if (t === '' || t === 'none') return [];
  for (const raw of t.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (groups[name]) for (const f of groups[name]) want.add(f);
    else if (fields[name]) want.add(name);
    else
      throw new InputError(
        `--${kind}-features: unknown feature '${name}' (fields: ${Object.keys(fields).join(', ')}; groups: ${Object.keys(groups).join(', ')})`,
      );
  }
  return Object.keys(fields).filter((f) => want.has(f));
}

/** Refuses an audio.jsonl whose first record lacks requested voice fields (it was made without --voice). */
export async function requireVoiceFields(audioPath: string, fields: string[]): Promise<void> {
  const want = fields.filter((f) => VOICE_AUDIO_FIELDS.includes(f));
  if (want.length === 0) return;
  const fh = await open(audioPath, 'r');
  let first: Record<string, unknown> = {};
  try {
    const head = Buffer.alloc(1 << 16);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const line = head.subarray(0, bytesRead).toString('utf8').split('\n')[0];
    first = line.trim() ? (JSON.parse(line) as Record<string, unknown>) : {};
  } catch {
    first = {};
  } finally {
    await fh.close();
  }
  const missing = want.filter((f) => !(f in first));
  if (missing.length) throw new InputError(`has no ${missing.join(', ')}: the audio was analysed without --voice (rerun the audio stage with them: mmprep extract MANIFEST -o OUT --only audio --voice; or drop them from --audio-features)`, { file: audioPath });
}
