/**
 * `mmprep face` as a library: decode a video as a stream of frames (ffmpeg), analyse each with Human (worker threads),
 * and emit one record per analysed frame, in order, with derived features and a per-file summary.
 */
import { stdoutClosed } from '../common/stdout.js';
import { usableCpus } from '../common/cpus.js';
import { InputError } from '../common/errors.js';
import { writeFileAtomic } from '../common/atomic.js';
import { openRecordSink, toJsonText, type OutputFormat } from '../common/records.js';
import { VERSION } from '../common/version.js';
import { interlacedFieldOrder, mirrorDisplayMatrix, probe, taggedStreamEndS, type ProbeResult, type StreamInfo } from '../media/probe.js';
import { damagedAdvice, truncatedAdvice } from '../media/input-file.js';
import { streamEnds } from '../media/stream-ends.js';
import { endToleranceS } from '../media/end-tolerance.js';
import { fileOrientation, mjpegStreamOrientation, ORIENTATION_FILTER } from '../media/exif.js';
import { shellWord, siblingName } from '../common/shell.js';
import { showinfoReady } from '../media/showinfo.js';
import { mark } from '../common/timeline.js';
import { VideoDecoder, videoGeometry, type DecodeErrors, type VideoFrame } from '../media/decode-video.js';
import { reportDecodeProgress } from '../media/decode-progress.js';
import { FACE_BACKENDS, isFaceBackend, loadableBackendCheck, type FaceBackend, type FaceStages } from './backend.js';
import { EXPRESSIONS, type RawFace } from './engine.js';
import { EAR, FaceTracker, interOcular, meshBounds, MOTION_REGIONS, mouthAspectRatio, eyeAspectRatio, regionSpeed, type Box } from './features.js';
import { checkModelDir, defaultModelDir, humanVersion } from './models.js';
import { landmarks68 } from './landmarks68.js';
import { openfaceRows } from './openface-csv.js';
import { implausibility, plausibilityFeatures, type PlausibilityFeatures } from './plausibility.js';
import { FlipCheck, meshAngle, unsureRolled, type FacePose } from './flip.js';
import { correctIris } from './gaze.js';
import { headRotation, openfaceEuler } from './pose.js';
import { faceQuality, irisCropOutside, meshOutsideRatio, QUALITY_FIELD_NAMES, type EyesOutside, type QualityFields } from './quality.js';
import { gatedBlink, OpenEyeMemory } from './open-eyes.js';
import { DETECT_EVERY, FramePool, keptFaceWorkers } from './pool.js';
import { DEFAULT_MIN_CONFIDENCE, detectorMinConfidence, faceWorkerSetup, takeEarlyFaceWorkers } from './early-workers.js';
import { FlowContext } from './flow-frames.js';
import { FrameFeed } from './frame-feed.js';
import { FLOW_FIELD_NAMES, type FlowFields } from './flow.js';

export { DEFAULT_MIN_CONFIDENCE } from './early-workers.js';
/** Default blink threshold on the mean eye aspect ratio (Soukupová & Čech 2016 use 0.2 for dlib's 68 points). */
export const DEFAULT_BLINK_EAR = 0.2;
/** Frames are downscaled by ffmpeg so that neither side exceeds this before inference (detector input is 256 px). */
export const DEFAULT_INFERENCE_SIDE = 640;
/** Smallest picture side we analyse. */
export const MIN_FRAME_SIDE = 32;

export interface FaceOptions {
  backend?: FaceBackend;
  /** Resample to this frame rate before analysis (default: every frame). */
  fps?: number;
  start?: number;
  end?: number;
  /** Faces tracked per frame (default 1). */
  maxFaces?: number;
  /** A face counts as found when min(det_score, mesh_score) is at least this (default DEFAULT_MIN_CONFIDENCE). */
  minConfidence?: number;
  /** Landmarks as [x/width, y/height, z/width] instead of source pixels. */
  normalized?: boolean;
  /** Folder with Human's models (default: node_modules/@vladmandic/human/models). */
  modelDir?: string;
  /** Video stream (0-based among video streams). */
  stream?: number;
  /** Longest side of the picture given to the models (default DEFAULT_INFERENCE_SIDE). */
  inferenceSide?: number;
  blinkEar?: number;
  /** Worker threads (default: available cores); 0 analyses in the calling thread. */
  workers?: number;
  /** Maps source time to reference time (a sync clock): t_s = clock(t_src_s). */
  clock?: (t: number) => number;
  /** Also write the 68-point subset (iBUG 300-W / dlib order) as `landmarks68` (CLI `--landmarks 68`). */
  landmarks68?: boolean;
  /** Reject meshes that are not a plausible human face (plausibility.ts; default true). */
  plausibility?: boolean;
  /**
   * Called for every candidate above minConfidence that has a mesh, with the figures the plausibility check computes
   * on it (on the mesh as the models give it: inference pixels, z in the mesh model's crop units) and its verdict,
   * whether or not the check is on (scripts/measure-face-quality.mjs plausibility). Frames in analysis order.
   */
  onPlausibility?: (c: PlausibilityCandidate) => void;
  /**
   * Called with the file's ffprobe result once it is read (before any frame), for a caller that needs it after the
   * run: `mmprep face` checks it for a picture that ends before the sound, and probed the file a second time before
   * (one more ffprobe run at the end: ~0.2 CPU s with Debian's build, on the command's critical path).
   */
  onProbed?: (p: ProbeResult) => void;
  /**
   * The file's ffprobe reading when the caller already has it (`mmprep extract` probes each input once per session):
   * the run then does not run ffprobe again (~0.2 CPU s with Debian's build). It must be this file's own reading.
   */
  probed?: ProbeResult;
  /** Landmark-guided optical flow (flow.ts): adds flow_* fields per face; loads OpenCV (off by default). */
  flow?: boolean;
  /** Stages to run (bench only; all on by default). */
  stages?: Partial<FaceStages>;
  /**
   * Keep the worker threads (and their loaded models) for later calls in this thread instead of ending them with the
   * file (keptFaceWorkers in pool.ts), for callers that analyse many files in a row (`mmprep extract`'s session
   * threads). Idle workers do not keep the process alive; they end with their thread or process.
   */
  keepWorkers?: boolean;
}

/**
 * Why a weak face read the same way on the frame turned 180 degrees is rejected with the plausibility check
 * (orientation.ts turnedAgrees; docs/face.md "No faces on non-faces": a squirrel, trial33).
 */
const TURNED_AGREES_WHY = 'turned_reading_agrees: det under 0.65, read the same way up on the frame turned 180 degrees';

/** One candidate face as the plausibility check saw it (FaceOptions.onPlausibility). */
export interface PlausibilityCandidate extends PlausibilityFeatures {
  /** Decoded frame index (the record's `frame`). */
  frame: number;
  det_score: number;
  mesh_score: number;
  /** Cheek skin texture measured in the inference picture (visibility.ts skinContrast); null when not measured. */
  skin: number | null;
  /** The cheeks' chromaticity (appearance.ts skinChroma) and the frame's colour (frameChroma); null when not measured. */
  look: readonly [number, number] | null;
  frame_chroma: number | null;
  /** Human's yaw (radians), the detector's box and the mesh the check read (inference pixels, z in crop units). */
  yaw: number | null;
  box: [number, number, number, number];
  mesh: Float64Array;
  /** Side of the mesh crop in inference pixels (engine.ts RawFace.crop_px), null when unknown. */
  crop_px: number | null;
  /** Why the check rejects the mesh (plausibility.ts implausibility, or TURNED_AGREES_WHY), null when it passes. */
  why: string | null;
}

export type ExprFields = { [K in Expression as `expr_${K}`]: number | null };
type Expression = (typeof EXPRESSIONS)[number];

export interface FaceFields extends ExprFields, QualityFields {
  face_id: number;
  det_score: number;
  mesh_score: number;
  bbox_px: [number, number, number, number];
  yaw_deg: number | null;
  pitch_deg: number | null;
  roll_deg: number | null;
  ear_left: number | null;
  ear_right: number | null;
  mar: number | null;
  iod_px: number | null;
  blink: boolean | null;
  motion_brow: number | null;
  motion_eye: number | null;
  motion_mouth: number | null;
  landmarks: Array<[number, number, number]>;
  /** The detector's face box (Human's crop box, [x, y, w, h] source pixels; 1.5-1.8 times the mesh's extent). */
  det_bbox_px: [number, number, number, number];
  /** Only with the landmarks68 option. */
  landmarks68?: Array<[number, number, number]>;
}

export type NullFaceFields = { [K in keyof FaceFields]: null };

export type FaceRecord = {
  t_s: number;
  t_src_s?: number;
  frame: number;
  face_found: boolean;
  n_faces: number;
  /**
   * Why face_found is false when a face was seen: 'orientation_doubtful' (a face on this frame's detector run read both
   * upright and upside down with no clear winner, or read past 90 degrees and not found upright in its upright view
   * (orientation.ts UPRIGHT_VIEW_MIN), left out: faces_rejected_orientation), 'implausible' (a candidate at
   * --min-confidence whose mesh failed the plausibility check: faces_rejected_implausible), 'orientation_flip' (a face
   * read turned more than 90 degrees against its last kept reading within 0.5 s, flip.ts FLIP_MEMORY_S:
   * faces_rejected_flip), 'rolled_low_mesh_score' (a face read turned past 90 degrees with a mesh score under 0.9,
   * flip.ts ROLLED_MIN_MESH_SCORE: faces_rejected_rolled); else null (no candidate reached --min-confidence).
   */
  face_null_reason: string | null;
} & (FaceFields | NullFaceFields) & { faces: FaceFields[] };

export interface FaceSummary {
  file: string;
  mmprep_version: string;
  human_version: string;
  backend: FaceBackend;
  /** The picture as displayed (rotation applied, square pixels): the frame of landmarks and every *_px field. */
  width: number;
  height: number;
  /**
   * Of the stored pixels (1: square, or within 0.5 % of it: decode-video.ts SQUARE_SAR_TOLERANCE); otherwise the
   * stored width was stretched by it before analysis.
   */
  sample_aspect_ratio: number;
  /**
   * ffprobe's field order when the video is interlaced (tt, bb, tb, bt), else null: frames are analysed as stored,
   * combed where the face moves (a warning says so; deinterlace first: ffmpeg -vf yadif).
   */
  field_order: string | null;
  inference_width: number;
  inference_height: number;
  /**
   * The video stream's declared frame rate (ffprobe avg_frame_rate, else r_frame_rate), or null: the rate a warning's
   * re-timing command names (summary-warnings.ts repeatedTimeWarning; it said 25 whatever the stream's rate).
   */
  stream_fps: number | null;
  fps_requested: number | null;
  min_confidence: number;
  max_faces: number;
  frames_analysed: number;
  frames_with_face: number;
  detection_rate: number | null;
  first_t_s: number | null;
  last_t_s: number | null;
  duration_s: number | null;
  effective_fps: number | null;
  share_abs_yaw_over_30: number | null;
  /** Why share_abs_yaw_over_30 is null (no face; every face's pose gimbal-locked, so no yaw), else null. */
  share_abs_yaw_over_30_reason: string | null;
  /** Blink onsets, and per minute; null (with blinks_reason) below MIN_BLINK_FPS, where blinks fall between frames. */
  blinks: number | null;
  blinks_per_minute: number | null;
  blinks_reason: string | null;
  /** Frames with a face whose blink is null (any blink_null_reason), and of them those with 'eye_not_seen_open' (open-eyes.ts). */
  frames_blink_null: number;
  /**
   * Mean luma (0..255, BT.601) of the frames analysed, from 4096 pixels each (luma.ts meanLuma): under DARK_LUMA_MAX
   * (summary-warnings.ts) the warning of a video without a face says the picture is dark.
   */
  mean_luma: number | null;
  /**
   * Frames with a face whose pose is null because more than MESH_OUTSIDE_POSE_MAX of its mesh lies beyond the
   * picture's edge (pose_null_reason 'face_outside_picture'; quality.ts).
   */
  frames_pose_face_outside: number;
  frames_eye_not_seen_open: number;
  /** Candidates above --min-confidence rejected by the plausibility check (not a human face mesh, or a weak one read the same way turned 180 degrees). */
  faces_rejected_implausible: number;
  /**
   * Faces on detector frames read from the frame turned 180 degrees (upside down or turned past ~110 degrees,
   * orientation.ts), and faces left out there because neither way up won clearly; the first such frame's time.
   */
  faces_read_turned: number;
  faces_rejected_orientation: number;
  faces_rejected_orientation_first_t_s: number | null;
  /**
   * Records per face_null_reason (frames without a face although one was seen): a frame counts once, however many faces
   * were left out on it, and not at all when another face was kept; faces_rejected_* count the faces left out.
   */
  face_null_reasons: { orientation_doubtful: number; implausible: number; orientation_flip: number; rolled_low_mesh_score: number };
  /**
   * Faces left out because their in-plane angle differed by more than 90 degrees from the same face's last kept reading
   * within 0.5 s (flip.ts: a misreading, such as an upright face with a palm over the mouth read upside down); the first
   * such frame's time.
   */
  faces_rejected_flip: number;
  faces_rejected_flip_first_t_s: number | null;
  /** Faces read turned past 90 degrees with a mesh score under 0.9 (flip.ts ROLLED_MIN_MESH_SCORE), left out; the first's time. */
  faces_rejected_rolled: number;
  faces_rejected_rolled_first_t_s: number | null;
  /**
   * Analysed frames whose primary face is another tracked face than the last one's, over twice the face's size away
   * (within 2 s): two people in view, the series switching between them; the first such frame's time (null: none).
   */
  primary_face_switches: number;
  primary_face_first_switch_t_s: number | null;
  /**
   * Faces at --min-confidence larger than the primary face that detector frames left out (primary.ts passedOver: their
   * detector score more than PRIMARY_SCORE_MARGIN below the top one's, past --max-faces; or a larger box put first whose mesh
   * was not a confident, plausible face: engine.ts analyseDetected), and the first one's time.
   */
  faces_larger_not_analysed: number;
  faces_larger_not_analysed_first_t_s: number | null;
  /**
   * Analysed frames on which the face detector ran, and those of them on which another face at --min-confidence was in
   * view past --max-faces and not analysed (primary.ts notAnalysed: with --max-faces 1, a second person), with the
   * first one's time. More than half: a warning (one camera filming two participants, ttrial47 W9).
   */
  detector_frames: number;
  frames_other_face_not_analysed: number;
  frames_other_face_not_analysed_first_t_s: number | null;
  /**
   * Analysed frames with fewer faces (n_faces) than the most kept on one frame, none included (0 when every frame has
   * as many): faces lost on some frames, or people coming and going. Warned with frames wider or taller than 1.8:1
   * (summary-warnings.ts wideFrameWarning), where the detector sees faces smaller (detector-aspect.ts).
   */
  frames_fewer_faces: number;
  /**
   * Analysed frames whose presentation time is not later than the analysed frame's before (the video's timestamps
   * repeat or go back: a muxer bug, a bad variable-frame-rate remux), and the first one's time: records that share a
   * t_s, and motion_* over a wrong interval; a warning says to re-time the video at a constant frame rate.
   */
  frames_repeated_time: number;
  frames_repeated_time_first_t_s: number | null;
  /**
   * ffmpeg's reports of damaged data while decoding the video (decode-video.ts): its error messages and the pictures
   * its decoder patched up; both 0 for a clean file. Not 0: some frames were analysed from damaged data (a warning).
   */
  decode_errors: DecodeErrors;
  /**
   * Face frames whose primary face was read rolled within SIDEWAYS_ROLL_DEG of +-90 degrees, and which way most of them
   * (clockwise: roll > 0; null when none). Most face frames so: a camera turned a quarter without rotation metadata
   * (a warning; trial33: yaw and pitch null by the gimbal lock, mar 0.056 against 0.204 with the metadata).
   */
  faces_read_sideways: number;
  faces_read_sideways_direction: 'clockwise' | 'counterclockwise' | null;
  /**
   * Face frames whose primary face was read rolled within SIDEWAYS_ROLL_DEG of 180 degrees. Most face frames so: the
   * picture as shown is upside down (a camera mounted so, or rotation metadata 180 degrees wrong: ttrial57b, roll -177 on
   * every frame, yaw and pitch null, and nothing on stderr until 2026-12-07; a warning since).
   */
  faces_read_upside_down: number;
  mean_expr: Record<Expression, number | null>;
}

/** How far from +-90 degrees a face's roll counts as sideways (faces_read_sideways). */
export const SIDEWAYS_ROLL_DEG = 30;

const r = (v: number, d: number): number => {
  const k = 10 ** d;
  const x = Math.round(v * k) / k;
  return Object.is(x, -0) ? 0 : x;
};
const rn = (v: number | null, d: number): number | null => (v === null || !Number.isFinite(v) ? null : r(v, d));
/**
 * The mesh as `landmarks` writes it. A function of its own: the loop over 478 points made V8 optimise (and, after
 * deopts, re-optimise) the whole per-face record builder around it, ~0.1 CPU s of compiling in a short run.
 */
function roundedLandmarks(mesh: Float64Array, normalized: boolean, width: number, height: number): Array<[number, number, number]> {
  const landmarks: Array<[number, number, number]> = [];
  for (let i = 0; i < mesh.length; i += 3) {
    landmarks.push(normalized ? [r(mesh[i] / width, 5), r(mesh[i + 1] / height, 5), r(mesh[i + 2] / width, 5)] : [r(mesh[i], 2), r(mesh[i + 1], 2), r(mesh[i + 2], 2)]);
  }
  return landmarks;
}
const scalePoint = (p: [number, number] | null, s: number): [number, number] | null => (p ? [p[0] * s, p[1] * s] : null);

/** Resolved options (defaults applied, validated). */
export function resolveFaceOptions(o: FaceOptions) {
  const backend = o.backend ?? 'wasm';
  if (!isFaceBackend(backend)) throw new InputError(`unknown backend '${String(backend)}' (expected ${FACE_BACKENDS.join(', ')})`);
  const maxFaces = o.maxFaces ?? 1;
  if (!Number.isInteger(maxFaces) || maxFaces < 1) throw new InputError(`--max-faces must be a whole number >= 1, got ${maxFaces}`);
  const minConfidence = o.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  if (!(minConfidence >= 0 && minConfidence <= 1)) throw new InputError(`--min-confidence must be within [0, 1], got ${minConfidence}`);
  if (o.fps !== undefined && !(o.fps > 0)) throw new InputError(`--fps must be > 0, got ${o.fps}`);
  if (o.start !== undefined && o.end !== undefined && !(o.end > o.start)) throw new InputError(`--end (${o.end}) must be after --start (${o.start})`);
  const workers = o.workers ?? usableCpus(); // affinity, cgroup quota, SLURM_CPUS_PER_TASK
  if (!Number.isInteger(workers) || workers < 0) throw new InputError(`--workers must be a whole number >= 0, got ${workers}`);
  return {
    ...o,
    backend,
    maxFaces,
    minConfidence,
    workers,
    inferenceSide: o.inferenceSide ?? DEFAULT_INFERENCE_SIDE,
    blinkEar: o.blinkEar ?? DEFAULT_BLINK_EAR,
    modelDir: o.modelDir ?? defaultModelDir(),
    detectorMinConfidence: detectorMinConfidence(minConfidence),
  };
}

/**
 * Below this many frames to analyse, a run uses one worker (at most; also when more are asked for): each worker pays its own start-up and V8 warm-up
 * (about 0.5-0.9 CPU s, docs/face.md "Performance notes"), which a clip this short does not earn back. Measured with
 * the bench clip's first 15-90 frames, `--workers 1` against 2 (docs/benchmarks-history.md): at 30 frames one worker used
 * 0.5-0.6 CPU s less for about the same wall time.
 */
export const ONE_WORKER_BELOW_FRAMES = 30;

/** Frames a run will analyse, from the container's figures (--start/--end/--fps applied); null when it does not say. */
export function expectedFrames(p: ProbeResult, stream: StreamInfo, o: { start?: number; end?: number; fps?: number }): number | null {
  const rate = stream.fps_avg ?? stream.fps_real;
  if (stream.n_frames !== null && o.start === undefined && o.end === undefined && o.fps === undefined) return stream.n_frames;
  const duration = stream.duration_s ?? p.duration_s;
  if (rate === null || duration === null) return null;
  const span = Math.min(o.end ?? Infinity, duration) - (o.start ?? 0);
  return Math.max(0, span) * Math.min(rate, o.fps ?? Infinity);
}

/**
 * Frames the container says the stream shows: its frame count (nb_frames), unless its duration at its frame rate
 * holds fewer. An MP4/MOV cut by `ffmpeg -ss X -c copy` at a frame that is not a keyframe keeps the frames from the
 * keyframe before X, which its edit list hides (ffmpeg and ffprobe decode and drop them): nb_frames counts them, the
 * duration does not (48 packets, 40 shown, 1.704 s at 23.976 fps). A file cut short still declares its whole length.
 */
/** The face-mesh model's input side (Human's facemesh inputSize): the unit of the raw mesh's z. */
const MESH_INPUT_PX = 192;

export function declaredFrames(stream: StreamInfo): number | null {
  const n = stream.n_frames;
  const rates = [stream.fps_avg, stream.fps_real].filter((x): x is number => x !== null && x > 0);
  if (n === null || stream.duration_s === null || rates.length === 0) return n;
  return Math.min(n, Math.round(stream.duration_s * Math.min(...rates)));
}

/** Workers a run keeps of those asked for (--workers, or the default): one for a clip under ONE_WORKER_BELOW_FRAMES frames. */
export function workersFor(frames: number | null, workers: number): number {
  return frames !== null && frames < ONE_WORKER_BELOW_FRAMES ? Math.min(1, workers) : workers;
}

interface PrevFace {
  t: number;
  mesh: Float64Array;
  iod: number;
}

/**
 * The record's primary face and the others (by face_id). When the engine marks the primary face (RawFace.primary:
 * --max-faces 2 or more, analysed as with --max-faces 1), it is that face, or none when it was not kept: the flat fields
 * are the --max-faces 1 series, the others only in `faces`. Otherwise the largest box of the faces kept.
 */
function primaryOf(built: FaceFields[], kept: RawFace[], faces: RawFace[]): { primary: FaceFields | null; others: FaceFields[] } {
  const byId = (a: FaceFields, b: FaceFields) => a.face_id - b.face_id;
  if (faces.some((f) => f.primary !== undefined)) {
    const at = kept.findIndex((f) => f.primary === true);
    return { primary: at >= 0 ? built[at] : null, others: built.filter((_, i) => i !== at).sort(byId) };
  }
  const size = (f: FaceFields) => f.bbox_px[2] * f.bbox_px[3];
  const order = [...built].sort((a, b) => size(b) - size(a) || byId(a, b));
  return { primary: order[0] ?? null, others: order.slice(1).sort(byId) };
}

/** Turns the raw results of successive frames into records (tracking, motion, summary statistics). */
export class FaceRecordBuilder {
  private readonly tracker = new FaceTracker();
  private prev = new Map<number, PrevFace>();
  private n = 0;
  private nFace = 0;
  /** Analysed frames per number of faces kept (n_faces): frames_fewer_faces. */
  private framesByFaces: number[] = [];
  private nYaw = 0;
  private nYawOver = 0;
  private nLocked = 0;
  /** Frames whose primary face's pose is null for a mesh cut by the picture's edge (quality.ts MESH_OUTSIDE_POSE_MAX). */
  private nPoseOutside = 0;
  /** Face frames read rolled sideways (SIDEWAYS_ROLL_DEG), and of them those rolled clockwise (roll > 0). */
  private sideways = { n: 0, clockwise: 0, upsideDown: 0 };
  /**
   * Each built face's yaw in degrees as OpenFace's pose_Ry gives it (pose.ts openfaceEuler of the mesh's head axes, the
   * `--format openface` column), null without a mesh or when gimbal-locked: what share_abs_yaw_over_30 counts.
   */
  private readonly poseYaw = new WeakMap<FaceFields, number | null>();
  private blinks = 0;
  private lastBlink: boolean | null = null;
  private readonly openEyes: OpenEyeMemory;
  private notSeenOpen = 0;
  private blinkNull = 0;
  private firstT: number | null = null;
  private lastT: number | null = null;
  /** Analysed frames whose time is not later than the previous analysed frame's, and the first one's time. */
  private repeatedTimes = 0;
  private firstRepeatedT: number | null = null;
  private exprSum = EXPRESSIONS.map(() => 0);
  private exprN = 0;
  private implausible = 0;
  private readTurned = 0;
  private orientationDoubtful = 0;
  /** Faces left out by the orientation check on the frame about to be built (noteOrientation). */
  private frameDoubtful = 0;
  /** Candidates at --min-confidence whose mesh failed the plausibility check on the frame being built (plausible). */
  private frameImplausible = 0;
  /** Records per face_null_reason (summary face_null_reasons). */
  private readonly nullReasons = { orientation_doubtful: 0, implausible: 0, orientation_flip: 0, rolled_low_mesh_score: 0 };
  /** Faces read past 90 degrees with an unsure mesh (flip.ts unsureRolled): in all, on the frame being built, the first. */
  private rolled = 0;
  private frameRolled = 0;
  private firstRolledT: number | null = null;
  /** The kept faces' recent in-plane angles (flip.ts), faces left out against them, those on the frame being built. */
  private readonly flips = new FlipCheck();
  private flipped = 0;
  private frameFlipped = 0;
  private firstFlipT: number | null = null;
  private firstDoubtfulT: number | null = null;
  private passedOver = 0;
  private firstPassedOverT: number | null = null;
  private detectorFrames = 0;
  private otherFaceFrames = 0;
  private firstOtherFaceT: number | null = null;
  private lastPrimary: { id: number; t: number; frame: number; cx: number; cy: number; side: number } | null = null;
  private switches = 0;
  private firstSwitchT: number | null = null;

  constructor(
    private readonly o: {
      scale: number;
      width: number;
      height: number;
      minConfidence: number;
      normalized: boolean;
      blinkEar: number;
      clock?: (t: number) => number;
      landmarks68?: boolean;
      plausibility?: boolean;
      onPlausibility?: (c: PlausibilityCandidate) => void;
    },
  ) {
    this.openEyes = new OpenEyeMemory(o.blinkEar);
  }

  /**
   * The candidates that pass the plausibility check (all of them with the check off), counting the rejected; each
   * candidate's figures and verdict go to onPlausibility when it is given.
   */
  private plausible(frame: number, confident: RawFace[]): RawFace[] {
    const { plausibility, onPlausibility } = this.o;
    this.frameImplausible = 0;
    if (plausibility === false && !onPlausibility) return confident;
    const why = confident.map((f) => (f.turned_agrees ? TURNED_AGREES_WHY : f.mesh.length < 468 * 3 ? null : implausibility(f.mesh, f.box, f.skin, { det: f.det_score, mesh: f.mesh_score, yaw: f.yaw }, { look: f.look ?? null, frame: f.frame_chroma ?? null, crop_px: f.crop_px ?? null })));
    confident.forEach((f, i) => {
      if (onPlausibility && f.mesh.length >= 468 * 3) onPlausibility({ frame, det_score: f.det_score, mesh_score: f.mesh_score, ...plausibilityFeatures(f.mesh, f.box, f.crop_px), skin: f.skin ?? null, look: f.look ?? null, frame_chroma: f.frame_chroma ?? null, yaw: f.yaw, box: f.box, mesh: f.mesh, crop_px: f.crop_px ?? null, why: why[i] });
    });
    if (plausibility === false) return confident;
    const kept = confident.filter((_, i) => why[i] === null);
    this.implausible += confident.length - kept.length;
    this.frameImplausible = confident.length - kept.length;
    return kept;
  }

  /**
   * The faces not flipped against the same face's last kept reading (flip.ts), counting those left out; the kept ones
   * become the references. A frame on which nothing was seen (`seen` false) clears them.
   */
  private unflipped(tSrc: number, faces: RawFace[], seen: boolean): RawFace[] {
    this.frameFlipped = 0;
    if (!seen) this.flips.forget();
    const pose = (f: RawFace): FacePose | null => (f.mesh.length < 468 * 3 ? null : { angle: meshAngle(f.mesh), cx: f.box[0] + f.box[2] / 2, cy: f.box[1] + f.box[3] / 2, side: Math.max(f.box[2], f.box[3]), t: tSrc });
    const poses = faces.map(pose);
    const kept = faces.filter((_, i) => !(poses[i] && this.flips.flipped(poses[i])));
    this.frameFlipped = faces.length - kept.length;
    this.flipped += this.frameFlipped;
    if (this.frameFlipped > 0) this.firstFlipT ??= this.o.clock ? this.o.clock(tSrc) : tSrc;
    this.flips.keep(poses.filter((p, i): p is FacePose => p !== null && kept.includes(faces[i])), tSrc);
    return kept;
  }

  /** The faces not read past 90 degrees with an unsure mesh (flip.ts unsureRolled), counting those left out. */
  private surelyRolled(tSrc: number, faces: RawFace[]): RawFace[] {
    // A plausibility judgement: --no-plausibility keeps these too (with --min-confidence 0, every candidate).
    const kept = this.o.plausibility === false ? faces : faces.filter((f) => !unsureRolled(f.mesh, f.mesh_score));
    this.frameRolled = faces.length - kept.length;
    this.rolled += this.frameRolled;
    if (this.frameRolled > 0) this.firstRolledT ??= this.o.clock ? this.o.clock(tSrc) : tSrc;
    return kept;
  }

  private face(raw: RawFace, id: number, t: number): FaceFields {
    const s = 1 / this.o.scale;
    const mesh = new Float64Array(raw.mesh.length);
    // z from the model's 192-pixel crop units onto the x, y pixel scale (engine.ts RawFace.crop_px).
    const sz = s * (raw.crop_px ? raw.crop_px / MESH_INPUT_PX : 1);
    for (let i = 0; i < mesh.length; i++) mesh[i] = raw.mesh[i] * (i % 3 === 2 ? sz : s);
    // With Human's own eye flips (iris.ts 'human': the tensorflow backends) the subject's right iris comes back mirrored
    // within its eye box and both irises offset (gaze.ts correctIris): put them back. Nothing to do in the other modes.
    correctIris(mesh, raw.iris_mode ?? 'human');
    const hasMesh = mesh.length >= 468 * 3;
    const iod = hasMesh ? interOcular(mesh) : null;
    const earL = hasMesh ? eyeAspectRatio(mesh, EAR.left) : null;
    const earR = hasMesh ? eyeAspectRatio(mesh, EAR.right) : null;
    const mar = hasMesh ? mouthAspectRatio(mesh) : null;
    const pupils = raw.pupils ? { right: scalePoint(raw.pupils.right, s), left: scalePoint(raw.pupils.left, s) } : null;
    const { width: w, height: h } = this.o;
    const outside: EyesOutside = {
      left: hasMesh && !pointsInside(mesh, EAR.left, w, h),
      right: hasMesh && !pointsInside(mesh, EAR.right, w, h),
      irisCropLeft: hasMesh && irisCropOutside(mesh, 'left', w, h),
      irisCropRight: hasMesh && irisCropOutside(mesh, 'right', w, h),
      meshRatio: hasMesh ? meshOutsideRatio(mesh, w, h) : null,
    };
    const { blink: eyesShut, ratios, pose, fields: quality } = faceQuality(mesh, { ...raw, pupils }, { left: earL, right: earR, mar }, this.o.blinkEar, outside);
    // A "closed" eye never seen open is not a blink (open-eyes.ts: a skin-coloured patch over the eye).
    const gated = gatedBlink(eyesShut, quality.blink_null_reason, this.openEyes.seenOpen(id, t, ratios));
    const blink = gated.blink;
    quality.blink_null_reason = gated.reason;
    const motion = this.motion(id, t, hasMesh ? mesh : null, iod);
    const { width, height, normalized } = this.o;
    const landmarks = roundedLandmarks(mesh, normalized, width, height);
    // A Float64Array: the worker's array holds whole numbers (0) on the first frames, and the values read from it were
    // then taken for small integers, deoptimising this function when a fraction came (compiled again).
    const expr = raw.expr ? Float64Array.from(raw.expr) : null;
    const f: FaceFields = {
      face_id: id,
      det_score: r(raw.det_score, 4),
      mesh_score: r(raw.mesh_score, 4),
      bbox_px: hasMesh ? meshExtent(mesh) : [r(raw.box[0] * s, 2), r(raw.box[1] * s, 2), r(raw.box[2] * s, 2), r(raw.box[3] * s, 2)],
      yaw_deg: rn(pose.yaw, 3),
      pitch_deg: rn(pose.pitch, 3),
      roll_deg: rn(pose.roll, 3),
      ear_left: rn(ratios.left, 4),
      ear_right: rn(ratios.right, 4),
      mar: rn(ratios.mar, 4),
      iod_px: rn(iod, 2),
      blink,
      expr_angry: expr ? expr[0] : null,
      expr_disgust: expr ? expr[1] : null,
      expr_fear: expr ? expr[2] : null,
      expr_happy: expr ? expr[3] : null,
      expr_sad: expr ? expr[4] : null,
      expr_surprise: expr ? expr[5] : null,
      expr_neutral: expr ? expr[6] : null,
      motion_brow: motion[0],
      motion_eye: motion[1],
      motion_mouth: motion[2],
      landmarks,
      det_bbox_px: [r(raw.box[0] * s, 2), r(raw.box[1] * s, 2), r(raw.box[2] * s, 2), r(raw.box[3] * s, 2)],
      ...quality,
    };
    // pose_Ry needs the mesh's depth on the x, y scale (above); past the gimbal guard's roll it is not a head turn.
    // Nor with the face cut by the picture's edge (quality.ts MESH_OUTSIDE_POSE_MAX).
    this.poseYaw.set(f, hasMesh && pose.lock !== true && quality.pose_null_reason !== 'face_outside_picture' ? (openfaceEuler(headRotation(mesh)).ry * 180) / Math.PI : null);
    if (this.o.landmarks68) {
      const w = normalized ? width : 1;
      const h = normalized ? height : 1;
      const d = normalized ? 5 : 2;
      f.landmarks68 = hasMesh ? landmarks68(mesh).map(([x, y, z]) => [r(x / w, d), r(y / h, d), r(z / w, d)] as [number, number, number]) : [];
    }
    return f;
  }

  /**
   * Brow, eye and mouth speed of face `id` since its previous frame (IOD per second; nulls on its first frame or
   * without a mesh), and this frame kept as the previous one.
   */
  private motion(id: number, t: number, mesh: Float64Array | null, iod: number | null): Array<number | null> {
    const prev = this.prev.get(id);
    let motion: Array<number | null> = [null, null, null];
    if (mesh && iod && prev && prev.mesh.length === mesh.length) {
      const niod = (iod + prev.iod) / 2;
      const dt = t - prev.t;
      motion = [MOTION_REGIONS.brow, MOTION_REGIONS.eye, MOTION_REGIONS.mouth].map((idx) => rn(regionSpeed(prev.mesh, mesh, idx, niod, dt), 4));
    }
    if (mesh && iod) this.prev.set(id, { t, mesh, iod });
    return motion;
  }

  /**
   * Counts a switch of the primary face to another tracked face: more than twice the smaller face's size away within
   * 2 s (the tracker's memory), or more than the larger face's size away from the previous analysed frame's primary
   * face (no frame without a face between). A participant and an interviewer in view, the one-face series going from
   * one to the other. In the larger face's size, a switch from a far face to a near one beside it went uncounted
   * (trial32); at twice the smaller size, one between two faces side by side (centres 1.5 faces apart) or crossing at
   * `--fps 5` (trial33). The tracker (features.ts) keeps an id within half a face, so one person would have to move
   * over a face-width from one analysed frame to the next: 25 face-widths a second at 25 fps, 5 at `--fps 5` (trial33's
   * mblur.mp4, a portrait swinging 1080 px/s at most, moves 0.43 of its ~100 px face a frame at 25 fps). A face given a
   * new id because the previous primary face's hidden track refused it by its look counts at any distance.
   */
  private noteSwitch(p: FaceFields, t: number): void {
    const [x, y, w, h] = p.bbox_px;
    const now = { id: p.face_id, t, frame: this.n, cx: x + w / 2, cy: y + h / 2, side: Math.max(w, h) };
    const last = this.lastPrimary;
    if (last && now.id !== last.id) {
      const jump = Math.hypot(now.cx - last.cx, now.cy - last.cy);
      const far = t - last.t <= 2 && jump > 2 * Math.min(now.side, last.side);
      const nextFrame = now.frame === last.frame + 1 && jump > Math.max(now.side, last.side);
      // Or where the previous primary face's track would have taken it but for its look: another person in its place
      // (the tracker's appearance gate; a new user's trial, 2026-12-06: B 10 px from where A left went uncounted).
      const otherPerson = this.tracker.refusedByLook(now.id) === last.id;
      if (far || nextFrame || otherPerson) {
        this.switches++;
        this.firstSwitchT ??= t;
      }
    }
    this.lastPrimary = now;
  }

  /** `flow` (--flow): optical-flow fields of a face from its raw mesh (inference pixels) and IOD (source pixels). */
  build(frame: number, tSrc: number, faces: RawFace[], flow?: (mesh: Float64Array, iod: number | null) => FlowFields): FaceRecord {
    const t = this.o.clock ? this.o.clock(tSrc) : tSrc;
    // A face counts when both the detector and the mesh are confident (docs/face.md, "Choosing the threshold").
    const confident = faces.filter((f) => Math.min(f.det_score, f.mesh_score) >= this.o.minConfidence);
    // ... and when its mesh is a plausible human face (animal faces, patterns, collapsed meshes are not).
    // ... and when it is not read turned half round against the same face's last frames (flip.ts).
    const kept = this.unflipped(tSrc, this.surelyRolled(tSrc, this.plausible(frame, confident)), faces.length > 0 || this.frameDoubtful > 0);
    const s = 1 / this.o.scale;
    const ids = this.tracker.assign(
      kept.map((f) => [f.box[0] * s, f.box[1] * s, f.box[2] * s, f.box[3] * s] as Box),
      tSrc,
      kept.map((f) => f.look ?? null),
    );
    const built = kept.map((f, i) => {
      const face = this.face(f, ids[i], tSrc);
      const out = withFlow(face, flow && ((iod) => flow(f.mesh, iod)));
      if (out !== face) this.poseYaw.set(out, this.poseYaw.get(face) ?? null);
      return out;
    });
    // Motion needs the same face in consecutive analysed frames: forget faces not seen in this frame.
    const seen = new Set(ids);
    for (const id of [...this.prev.keys()]) if (!seen.has(id)) this.prev.delete(id);
    const { primary, others } = primaryOf(built, kept, faces);

    this.n++;
    this.framesByFaces[built.length] = (this.framesByFaces[built.length] ?? 0) + 1;
    if (this.firstT === null) this.firstT = t;
    // A frame not later than the one before (a muxer's repeated or backward timestamps): two records at one t_s.
    if (this.lastT !== null && t <= this.lastT) {
      this.repeatedTimes++;
      this.firstRepeatedT ??= t;
    }
    this.lastT = t;
    if (primary) {
      this.noteSwitch(primary, t);
      this.nFace++;
      // The yaw of the records' pose_Ry (OpenFace's convention, depth on the pixel scale); Human's yaw_deg reads
      // smaller on the same head (its depth weighs 1/1.5: docs/face.md "Head pose: signs") and was counted before.
      const yaw = this.poseYaw.get(primary) ?? null;
      if (yaw !== null) {
        this.nYaw++;
        if (Math.abs(yaw) > 30) this.nYawOver++;
      }
      if (primary.pose_gimbal_lock === true) this.nLocked++;
      if (primary.pose_null_reason === 'face_outside_picture') this.nPoseOutside++;
      this.noteSideways(primary.roll_deg);
      if (primary.expr_happy !== null) {
        this.exprN++;
        EXPRESSIONS.forEach((e, k) => (this.exprSum[k] += primary[`expr_${e}`] as number));
      }
    }
    const blink = primary?.blink ?? null;
    if (primary && blink === null) this.blinkNull++;
    if (primary?.blink_null_reason === 'eye_not_seen_open') this.notSeenOpen++;
    if (isBlinkOnset(this.lastBlink, blink)) this.blinks++;
    this.lastBlink = blink;

    const head: Record<string, unknown> = { t_s: r(t, 6) };
    if (this.o.clock) head.t_src_s = r(tSrc, 6);
    head.frame = frame;
    head.face_found = primary !== null;
    head.n_faces = built.length;
    head.face_null_reason = this.nullReason(primary === null);
    this.frameDoubtful = 0;
    const names = FACE_FIELD_NAMES.flatMap((k) => (k === 'landmarks' && flow ? [...FLOW_FIELD_NAMES, k] : [k]));
    const nulls = Object.fromEntries([...names, ...(this.o.landmarks68 ? ['landmarks68'] : [])].map((k) => [k, null]));
    return { ...head, ...(primary ?? nulls), faces: others } as FaceRecord;
  }

  /**
   * Why the frame being built has no face although one was seen on it (null when it has a face, or when no candidate
   * reached --min-confidence): a face the orientation check left out on this frame's detector run before a mesh
   * rejected by the plausibility check. Each frame's own run decides: a frame after one whose face was left out
   * tracks nothing, so it goes to the detector again (engine.ts analyseNow) and has its own reason.
   */
  private nullReason(noFace: boolean): keyof FaceRecordBuilder['nullReasons'] | null {
    if (!noFace) return null;
    const counts = { orientation_doubtful: this.frameDoubtful, rolled_low_mesh_score: this.frameRolled, orientation_flip: this.frameFlipped, implausible: this.frameImplausible };
    const why = (Object.keys(counts) as Array<keyof typeof counts>).find((k) => counts[k] > 0) ?? null;
    if (why) this.nullReasons[why]++;
    return why;
  }

  /** Larger faces the detector's primary choice left out on the frame about to be built (FrameResult passedOver). */
  notePassedOver(tSrc: number, n = 0): void {
    this.passedOver += n;
    if (n > 0) this.firstPassedOverT ??= this.o.clock ? this.o.clock(tSrc) : tSrc;
  }

  /** A frame on which the detector ran (`detections` > 0), and whether another face was in view and not analysed there (FrameResult notAnalysed). */
  noteDetectorFrame(tSrc: number, detections = 0, notAnalysed = 0): void {
    if (detections === 0) return;
    this.detectorFrames++;
    if (notAnalysed === 0) return;
    this.otherFaceFrames++;
    this.firstOtherFaceT ??= this.o.clock ? this.o.clock(tSrc) : tSrc;
  }

  /** The orientation check's counts for the frame about to be built (FrameResult turned / doubtful). */
  noteOrientation(tSrc: number, turned = 0, doubtful = 0): void {
    this.readTurned += turned;
    this.orientationDoubtful += doubtful;
    this.frameDoubtful = doubtful;
    if (doubtful > 0) this.firstDoubtfulT ??= this.o.clock ? this.o.clock(tSrc) : tSrc;
  }

  /** Counts a face read rolled near +-90 degrees (a sideways camera without rotation metadata, trial33) or near 180 (upside down). */
  private noteSideways(roll: number | null): void {
    if (roll !== null && Math.abs(roll) >= 180 - SIDEWAYS_ROLL_DEG) this.sideways.upsideDown++;
    if (roll === null || Math.abs(Math.abs(roll) - 90) > SIDEWAYS_ROLL_DEG) return;
    this.sideways.n++;
    if (roll > 0) this.sideways.clockwise++;
  }

  summaryStats() {
    const n = this.n;
    const span = this.firstT !== null && this.lastT !== null ? this.lastT - this.firstT : null;
    const effFps = n > 1 && span && span > 0 ? (n - 1) / span : null;
    const duration = effFps ? n / effFps : null;
    return {
      frames_analysed: n,
      frames_with_face: this.nFace,
      detection_rate: n ? r(this.nFace / n, 6) : null,
      first_t_s: this.firstT === null ? null : r(this.firstT, 6),
      last_t_s: this.lastT === null ? null : r(this.lastT, 6),
      duration_s: rn(duration, 6),
      effective_fps: rn(effFps, 6),
      ...yawShare(this.nFace, this.nYaw, this.nYawOver, this.nLocked, this.nPoseOutside),
      ...blinkStats(this.blinks, effFps, duration),
      frames_blink_null: this.blinkNull,
      frames_pose_face_outside: this.nPoseOutside,
      frames_eye_not_seen_open: this.notSeenOpen,
      faces_rejected_implausible: this.implausible,
      faces_read_turned: this.readTurned,
      faces_rejected_orientation: this.orientationDoubtful,
      faces_rejected_orientation_first_t_s: rn(this.firstDoubtfulT, 6),
      face_null_reasons: { ...this.nullReasons },
      faces_rejected_flip: this.flipped,
      faces_rejected_flip_first_t_s: rn(this.firstFlipT, 6),
      faces_rejected_rolled: this.rolled,
      faces_rejected_rolled_first_t_s: rn(this.firstRolledT, 6),
      primary_face_switches: this.switches,
      primary_face_first_switch_t_s: rn(this.firstSwitchT, 6),
      faces_larger_not_analysed: this.passedOver,
      faces_larger_not_analysed_first_t_s: rn(this.firstPassedOverT, 6),
      detector_frames: this.detectorFrames,
      frames_other_face_not_analysed: this.otherFaceFrames,
      frames_other_face_not_analysed_first_t_s: rn(this.firstOtherFaceT, 6),
      frames_repeated_time: this.repeatedTimes,
      frames_repeated_time_first_t_s: this.firstRepeatedT === null ? null : r(this.firstRepeatedT, 6),
      frames_fewer_faces: this.n - (this.framesByFaces[this.framesByFaces.length - 1] ?? 0),
      faces_read_sideways: this.sideways.n,
      faces_read_sideways_direction: this.sideways.n === 0 ? null : this.sideways.clockwise * 2 >= this.sideways.n ? ('clockwise' as const) : ('counterclockwise' as const),
      faces_read_upside_down: this.sideways.upsideDown,
      mean_expr: Object.fromEntries(EXPRESSIONS.map((e, k) => [e, this.exprN ? r(this.exprSum[k] / this.exprN, 6) : null])) as Record<Expression, number | null>,
    };
  }
}

/**
 * Lowest analysed frame rate at which blinks are counted. A blink lasts about 100-400 ms (Caffier et al. 2003, Eur.
 * J. Appl. Physiol. 89; median ~ 200 ms); below 10 frames/s frames are more than 100 ms apart, so short blinks fall
 * between frames and a count (0 at 2 fps) would be silently low.
 */
export const MIN_BLINK_FPS = 10;

/** Whether every mesh point `idx` (x, y in pixels) lies inside a picture of width x height. */
function pointsInside(mesh: Float64Array, idx: readonly number[], width: number, height: number): boolean {
  return idx.every((i) => mesh[3 * i] >= 0 && mesh[3 * i] <= width && mesh[3 * i + 1] >= 0 && mesh[3 * i + 1] <= height);
}

/**
 * Whether an analysed frame starts a blink: blink true on it and false (an open eye seen) on the previous analysed
 * frame. Blink null there (an eye covered or unread, no face) says nothing, so null-true-null-true is not two blinks:
 * before 2026-12-06 it was, and a covered eye whose visibility hovered at 0.5 read 180 blinks/min, exit 0 (a new
 * user's trial, W4; test face-blink-onsets).
 */
export function isBlinkOnset(previous: boolean | null, current: boolean | null): boolean {
  return current === true && previous === false;
}

function blinkStats(blinks: number, effFps: number | null, duration: number | null): { blinks: number | null; blinks_per_minute: number | null; blinks_reason: string | null } {
  const reason =
    effFps === null || duration === null
      ? 'fewer than two frames analysed: no frame rate'
      : effFps < MIN_BLINK_FPS
        ? `analysed at ${r(effFps, 3)} frames/s, below ${MIN_BLINK_FPS}: a blink (100-400 ms) can fall between frames`
        : null;
  if (reason !== null) return { blinks: null, blinks_per_minute: null, blinks_reason: reason };
  return { blinks, blinks_per_minute: r((blinks * 60) / (duration as number), 4), blinks_reason: null };
}

/** share_abs_yaw_over_30 over the `withYaw` face frames that have a yaw, or null with the reason there is none. */
function yawShare(withFace: number, withYaw: number, over: number, locked: number, cut = 0): { share_abs_yaw_over_30: number | null; share_abs_yaw_over_30_reason: string | null } {
  if (withYaw > 0) return { share_abs_yaw_over_30: r(over / withYaw, 6), share_abs_yaw_over_30_reason: null };
  const reason =
    withFace === 0
      ? 'no frame with a face'
      : locked === withFace
        ? `every frame with a face (${withFace}) has pose_gimbal_lock (roll past 60 degrees or upside down): yaw is not defined there; if the camera was turned, turn the video upright first`
        : `no frame with a face has a yaw (${locked} of ${withFace} gimbal-locked, ${cut ? `${cut} cut by the picture's edge (pose_null_reason face_outside_picture), ` : ''}the others without a mesh)`;
  return { share_abs_yaw_over_30: null, share_abs_yaw_over_30_reason: reason };
}

/** Inserts the flow fields before `landmarks` (the face's other fields keep their pinned order). */
function withFlow(face: FaceFields, flow: ((iod: number | null) => FlowFields) | undefined): FaceFields {
  if (!flow) return face;
  const fields = flow(face.iod_px);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(face)) {
    if (k === 'landmarks') Object.assign(out, fields);
    out[k] = v;
  }
  return out as unknown as FaceFields;
}

export const FACE_FIELD_NAMES: ReadonlyArray<keyof FaceFields> = [
  'face_id', 'det_score', 'mesh_score', 'bbox_px', 'yaw_deg', 'pitch_deg', 'roll_deg', 'ear_left', 'ear_right', 'mar', 'iod_px', 'blink',
  'expr_angry', 'expr_disgust', 'expr_fear', 'expr_happy', 'expr_sad', 'expr_surprise', 'expr_neutral',
  'motion_brow', 'motion_eye', 'motion_mouth', 'landmarks', 'det_bbox_px', ...QUALITY_FIELD_NAMES,
];

/** [x, y, w, h] of the 468 mesh points' 2-D extent (source pixels). */
function meshExtent(m: Float64Array): [number, number, number, number] {
  const { x0, y0, x1, y1 } = meshBounds(m);
  return [r(x0, 2), r(y0, 2), r(x1 - x0, 2), r(y1 - y0, 2)];
}

/**
 * A face analysis run over one file: iterate `records()` (streaming, in frame order), then read `summary`.
 * Setup errors (bad file, no video, tiny picture, missing models, backend not installed) are thrown by open(),
 * before anything is produced.
 */
export class FaceRun {
  summary: FaceSummary | null = null;
  private constructor(
    readonly file: string,
    private readonly opts: ReturnType<typeof resolveFaceOptions>,
    private readonly decoder: VideoDecoder,
    private readonly feed: FrameFeed,
    private readonly flow: FlowContext | null,
    private readonly pool: FramePool,
    private readonly base: Omit<FaceSummary, keyof ReturnType<FaceRecordBuilder['summaryStats']> | 'decode_errors' | 'mean_luma'>,
  ) {}

  static async open(file: string, options: FaceOptions = {}): Promise<FaceRun> {
    const o = resolveFaceOptions(options);
    // Start-up overlaps: the workers start (threads, WASM, models: the longest part) before ffprobe reads the file, and
    // ffmpeg starts decoding while they load. Errors are still reported in the order the checks were made before.
    let setupError: unknown = null;
    try {
      checkModelDir(o.modelDir);
      loadableBackendCheck(o.backend);
    } catch (e) {
      setupError = e;
    }
    const setup = faceWorkerSetup(o);
    // `mmprep face` may have started its workers before its options were parsed (early-workers.ts): taken when they
    // are the ones this run asks for, else ended.
    const started = setupError || o.keepWorkers || o.workers === 0 ? null : takeEarlyFaceWorkers(setup, o.workers);
    const pool = setupError ? null : new FramePool(setup, o.workers, o.keepWorkers && o.workers > 0 ? keptFaceWorkers(setup, o.workers) : undefined, started ?? undefined);
    const warm = pool?.warm();
    warm?.catch(() => undefined); // awaited below
    let feed: FrameFeed | null = null;
    try {
      void showinfoReady(); // the decoder's filter, found out beside ffprobe (never rejects)
      const p = options.probed ?? (await probe(file));
      options.onProbed?.(p);
      const geo0 = videoGeometry(p, { stream: o.stream });
      if (Math.min(geo0.displayWidth, geo0.displayHeight) < MIN_FRAME_SIDE) {
        const shown = `${geo0.displayWidth}x${geo0.displayHeight}`;
        const stored = `${geo0.decodedWidth}x${geo0.decodedHeight}`;
        throw new InputError(`video is ${stored} pixels${shown === stored ? '' : ` (${shown} as displayed, square pixels)`}: too small for face analysis (each side must be at least ${MIN_FRAME_SIDE})`, { file });
      }
      await refuseTurnedPhoto(file, geo0.stream);
      refuseMirrorMatrix(file, geo0.stream);
      if (setupError || !pool) throw setupError;
      // Also with --workers given: a worker more costs its start-up (~1.2 CPU s on a 9-frame clip) for the same output.
      await pool.keepOnly(workersFor(expectedFrames(p, geo0.stream, o), o.workers));
      // --fps is applied by picking frames here (see records()), not by ffmpeg's fps filter, which relabels frames with
      // grid times: every analysed frame keeps its own presentation time.
      const decoder = await VideoDecoder.open(file, { probed: p, stream: o.stream, start: o.start, end: o.end, maxSide: o.inferenceSide, pixelFormat: 'rgb24', countDamage: true, reportProgress: false });
      const flow = o.flow ? await FlowContext.open(geo0.stream.fps_avg ? 1 / geo0.stream.fps_avg : null) : null;
      feed = new FrameFeed(new EarlyFrames(decoder), pool, o.fps, flow);
      mark('face decoder started');
      // A block for each worker while they start (frame-feed.ts): the second worker's first frames run beside the
      // first worker's start-up check; no record is made before the check passes (awaited here, as before).
      await feed.prefeed(warm!, pool.threads * DETECT_EVERY);
      await warm;
      return FaceRun.made(file, o, decoder, feed, flow, pool);
    } catch (e) {
      await feed?.stop();
      await pool?.close();
      throw e;
    }
  }

  private static made(file: string, o: ReturnType<typeof resolveFaceOptions>, decoder: VideoDecoder, feed: FrameFeed, flow: FlowContext | null, pool: FramePool): FaceRun {
    const g = decoder.geometry;
    return new FaceRun(file, o, decoder, feed, flow, pool, {
      file,
      mmprep_version: VERSION,
      human_version: humanVersion(),
      backend: o.backend,
      width: g.displayWidth,
      height: g.displayHeight,
      sample_aspect_ratio: r(g.sampleAspectRatio, 6),
      field_order: interlacedFieldOrder(g.stream),
      inference_width: g.width,
      inference_height: g.height,
      stream_fps: rn(g.stream.fps_avg ?? g.stream.fps_real, 9),
      fps_requested: o.fps ?? null,
      min_confidence: o.minConfidence,
      max_faces: o.maxFaces,
    });
  }

  get geometry() {
    return this.decoder.geometry;
  }

  /** Worker threads analysing this run's frames (0: the calling thread). */
  get workers(): number {
    return this.pool.threads;
  }

  async *records(): AsyncGenerator<FaceRecord> {
    const g = this.decoder.geometry;
    const builder = new FaceRecordBuilder({
      scale: g.scale,
      width: g.displayWidth,
      height: g.displayHeight,
      minConfidence: this.opts.minConfidence,
      normalized: Boolean(this.opts.normalized),
      blinkEar: this.opts.blinkEar,
      clock: this.opts.clock,
      landmarks68: this.opts.landmarks68,
      plausibility: this.opts.plausibility,
      onPlausibility: this.opts.onPlausibility,
    });
    const { feed, flow, pool } = this;
    const take = async (): Promise<FaceRecord> => {
      const m = feed.meta.shift()!;
      const res = await pool.next();
      if (m.index === 0) mark('face first result');
      reportDecodeProgress(m.t); // progress counts analysed frames, not the decoder's (it runs ahead by the pool's capacity)
      if (res.data) this.decoder.release(res.data);
      builder.noteOrientation(m.t, res.turned, res.doubtful);
      builder.noteDetectorFrame(m.t, res.detections, res.notAnalysed);
      const rec = builder.build(m.index, m.t, res.faces, flow ? (mesh, iod) => flow.fields(m, mesh, iod, g.scale) : undefined);
      // "Larger than the primary face" only where there is one: a frame whose face was covered counted its larger
      // boxes (a trial, 2026-12-05: the warning on a frame without any face; docs/face.md says such a box is not counted).
      if (rec.face_found) builder.notePassedOver(m.t, res.passedOver);
      return rec;
    };
    try {
      // Frames fed while the workers started (FaceRun.open) are in the pool already.
      while (pool.pending >= pool.capacity) yield await take();
      while (await feed.next()) while (pool.pending >= pool.capacity) yield await take();
      while (pool.pending > 0) yield await take();
    } finally {
      await feed.stop();
      await pool.close();
    }
    const stats = builder.summaryStats();
    if (stats.frames_analysed > 0) await this.checkComplete(feed.ends);
    if (stats.frames_analysed === 0) throw new InputError(this.noFramesMessage(), { file: this.file });
    const { mean_expr, ...rest } = stats;
    const luma = pool.meanLuma;
    this.summary = { ...this.base, ...rest, mean_luma: luma === null ? null : r(luma, 1), decode_errors: { ...this.decoder.decodeErrors }, mean_expr };
  }

  /**
   * A damaged file can decode partly without ffmpeg failing (exit 0, ffmpeg's "File ended prematurely" only on its
   * stderr): compare with the frame count the container declares (MP4/MOV, AVI), or for Matroska/WebM, which state
   * no count, with the stream's end its muxer recorded (DURATION tag, probe.ts taggedStreamEndS). What may be missing
   * is the tolerance of every truncation check (src/media/stream-ends.ts endToleranceS: one frame, the interval
   * before the last, plus the codec's delay). Before 2026-12-02 a Matroska copy cut at half its length gave half the
   * records, exit 0.
   */
  private async checkComplete(e: { decoded: number; lastT: number; prevT: number }): Promise<void> {
    const st = this.decoder.geometry.stream;
    const frameS = Number.isFinite(e.prevT) && e.lastT > e.prevT ? e.lastT - e.prevT : 1 / (st.fps_avg ?? st.fps_real ?? 25);
    const declared = this.opts.start === undefined && this.opts.end === undefined ? declaredFrames(st) : null;
    if (declared && (declared - e.decoded) * frameS > endToleranceS(frameS)) {
      throw await this.shortfall(`decoded ${e.decoded} of the ${declared} frames its container declares`);
    }
    const end = this.opts.end === undefined ? taggedStreamEndS(st) : null;
    // The last frame lasts one frame interval (the one before it; a single frame's, by the stream's frame rate): taken
    // as 0 s, a one-frame Matroska at 1 fps (DURATION 1 s) was refused as truncated.
    if (end !== null && end - (e.lastT + frameS) > endToleranceS(frameS)) {
      throw await this.shortfall(`its frames end at ${(e.lastT + frameS).toFixed(3)} s but its container records the stream's end at ${end.toFixed(3)} s`);
    }
  }

  /** The error line for a stream that decoded short (`what`): damaged inside (re-encode) or cut (truncatedAdvice). */
  private async shortfall(what: string): Promise<InputError> {
    const damage = await this.damageInside();
    const line = damage
      ? `video is damaged: ${what}; ${damage}: ${damagedAdvice(this.file, this.decoder.decodeErrors.concealed_frames)}`
      : `video is truncated or corrupt: ${what} (${truncatedAdvice(this.file)})`;
    return new InputError(line, { file: this.file });
  }

  /**
   * For a stream that decoded short: why, when its data is damaged inside rather than its end cut off, else null. Its
   * packets reach the end its header declares (stream-ends.ts, as extract's input check reads them: a cut file's stop
   * early) while ffmpeg reported decode errors; the decode errors alone when the packets cannot be read. A remux helps
   * only a cut file (truncatedAdvice); a damaged one needs a re-encode (damagedAdvice).
   */
  private async damageInside(): Promise<string | null> {
    const { errors, concealed_frames } = this.decoder.decodeErrors;
    if (errors + concealed_frames === 0) return null;
    const probed = this.decoder.probed;
    const ends = probed ? await streamEnds(probed).catch(() => null) : null;
    const mine = ends?.find((x) => x.index === this.decoder.geometry.stream.index);
    if (mine?.verdict.kind === 'truncated') return null;
    const packets = mine ? `its ${mine.packets} packets reach its declared end but ` : '';
    const patched = concealed_frames > 0 ? ` and patched up ${concealed_frames} damaged picture(s)` : '';
    return `${packets}ffmpeg reported ${errors} decode error(s)${patched}, so data inside the file is damaged, not its end cut off`;
  }

  /** Why nothing was analysed; for a --start/--end range, where the stream's frames are (a late-starting file's too). */
  private noFramesMessage(): string {
    const { start, end } = this.opts;
    if (start === undefined && end === undefined) return 'video has no frames (nothing decoded)';
    const asked = [start !== undefined ? `--start ${start}` : '', end !== undefined ? `--end ${end}` : ''].filter(Boolean).join(', ');
    const span = this.decoder.spanS;
    // The stream ends one frame interval after its last frame starts (ttrial44a: "0.000-8.008 s" for a clip whose last
    // frame is at 7.975 s): the last frame's time is the end less the average frame interval (exact at a constant rate).
    const fps = this.decoder.geometry.stream.fps_avg ?? 0;
    const last = span.end !== null && fps > 0 && span.end - 1 / fps >= span.start ? span.end - 1 / fps : span.end;
    const ends = last !== span.end && span.end !== null ? ` (the last frame's time; the stream ends at ${span.end.toFixed(3)} s)` : '';
    const at = last === null ? `from ${span.start.toFixed(3)} s on` : `at ${span.start.toFixed(3)}-${last.toFixed(3)} s${ends}`;
    return `video has no frames in the requested range (${asked}): its frames are ${at} on the stream's clock, which --start/--end and t_s use: pass times within that`;
  }

  /** Stops the decoder and the workers without reading (when records() was never iterated). */
  async close(): Promise<void> {
    await this.feed.stop();
    await this.pool.close();
  }
}

/**
 * A decoder's frames with the first one asked for at once, so that ffmpeg starts (process, libraries, probing the
 * stream, first frame) while the face workers load their models instead of after.
 */
class EarlyFrames implements AsyncIterable<VideoFrame> {
  private readonly it: AsyncIterator<VideoFrame>;
  private first: Promise<IteratorResult<VideoFrame>> | null;
  constructor(decoder: VideoDecoder) {
    this.it = decoder[Symbol.asyncIterator]();
    this.first = this.it.next();
    this.first.catch(() => undefined); // surfaced when the frames are read
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<VideoFrame> {
    let finished = false;
    try {
      const first = this.first ?? this.it.next();
      this.first = null;
      for (let r = await first; !r.done; r = await this.it.next()) yield r.value;
      finished = true;
    } finally {
      if (!finished) await this.stop();
    }
  }

  /** Ends the decoder (ffmpeg is killed when it has not finished). */
  async stop(): Promise<void> {
    const first = this.first;
    this.first = null;
    await first?.catch(() => undefined);
    await this.it.return?.(undefined);
  }
}

export interface ExtractFaceOptions extends FaceOptions {
  /** Output file ('-' or undefined: stdout). Written atomically. */
  out?: string;
  /** jsonl, csv, or openface (OpenFace 2.0's CSV columns, openface-csv.ts). */
  format?: OutputFormat | 'openface';
  /** Summary JSON file, written atomically after the records. */
  summaryPath?: string;
  /**
   * How the summary's `file` names the video (default: `file` as given). extract passes the manifest's cell as written,
   * as meta.json's inputs[] records it: an absolute path made the same session differ byte-wise under another folder.
   */
  name?: string;
}

/**
 * A JPEG (or a Motion-JPEG stream whose first frame) with an EXIF orientation that asks for turning or mirroring (a
 * phone's photo, a camera's AVI) is refused: the npm ffmpeg build (2018)
 * decodes its stored pixels as they are (the face analysed sideways or mirrored), Debian's 5.1 turns them while the
 * probe reports the stored size (the summary said 342x548 for frames ffmpeg turned to 548x342); before 2026-12-02 both
 * exit 0, no face found on a photo whose face the upright picture shows.
 */
async function refuseTurnedPhoto(file: string, stream: StreamInfo): Promise<void> {
  const still = await fileOrientation(file);
  const o = still ?? (stream.codec === 'mjpeg' ? await mjpegStreamOrientation(file, stream.index) : null);
  const vf = o === null ? undefined : ORIENTATION_FILTER[o];
  if (!vf) return;
  const name = file.split('/').pop() ?? file;
  const what = still === null ? "the EXIF orientation in the video's JPEG frames" : "the photo's EXIF orientation";
  const out = still === null ? `-c:v ffv1 ${shellWord(siblingName(name, '-upright.mkv'))}` : shellWord(siblingName(name, '-upright.png'));
  throw new InputError(
    `${what} (${o}) says to ${o === 2 || o === 4 ? 'mirror' : 'turn'} the picture for display, which mmprep does not apply (ffmpeg builds differ on it): ` +
      `make the upright picture first: ffmpeg -noautorotate -i ${shellWord(name)} -vf ${vf} ${out}, and run mmprep on that`,
    { file },
  );
}

/**
 * A video whose display matrix mirrors the picture (see mirrorDisplayMatrix) is refused: Debian's ffmpeg 5.1 mirrors it,
 * the npm build (2018) turns it 180 degrees, so the two builds analysed two pictures (left and right eyes, yaw, roll
 * differ), both exit 0, before 2026-12-06 (ttrial48b W5; test face-cli). The command writes the picture as players show
 * it into Matroska, which carries no display matrix (ffmpeg 5.1's muxer; an MP4 would keep the matrix). A plain
 * h-flip or v-flip is given as its filter; a mirror with a quarter turn is named without one.
 */
function refuseMirrorMatrix(file: string, stream: StreamInfo): void {
  const m = mirrorDisplayMatrix(stream);
  if (!m) return;
  const [a, b, c, d] = m;
  const vf = b === 0 && c === 0 ? (a < 0 && d > 0 ? 'hflip' : a > 0 && d < 0 ? 'vflip' : null) : null;
  const name = file.split('/').pop() ?? file;
  const fix = vf
    ? `make the picture as players show it first: ffmpeg -noautorotate -i ${shellWord(name)} -vf ${vf} -c:v ffv1 -c:a copy ${shellWord(siblingName(name, '-unmirrored.mkv'))}, and run mmprep on that`
    : `make the picture as players show it first (ffmpeg 6 or later applies it: ffmpeg -i ${shellWord(name)} -c:v ffv1 -c:a copy ${shellWord(siblingName(name, '-unmirrored.mkv'))}), and run mmprep on that`;
  throw new InputError(`its display matrix (${m.join(' ')}) says to mirror the picture${vf ? '' : ' and turn it a quarter'} for display, which the ffmpeg builds apply differently (Debian's 5.1 mirrors it, the npm package's 2018 build turns it 180 degrees): ${fix}`, { file });
}

/**
 * Analyses one video and writes its records (JSONL or CSV) and optionally the summary. On any error nothing is left
 * under the output names. Returns the summary, or null when the records go to stdout alone and its reader went away
 * before the last frame (`| head`: the analysis stops there, so there is no whole-file summary).
 */
export async function extractFace(file: string, opts: ExtractFaceOptions = {}): Promise<FaceSummary | null> {
  const openface = opts.format === 'openface';
  if (openface && opts.normalized) throw new InputError('--format openface writes pixel coordinates as OpenFace does: drop --normalized');
  const run = await FaceRun.open(file, opts);
  let sink;
  try {
    sink = await openRecordSink(opts.out, openface ? 'csv' : ((opts.format as OutputFormat | undefined) ?? 'jsonl'));
  } catch (e) {
    await run.close();
    throw e;
  }
  const csv = (opts.format ?? 'jsonl') === 'csv';
  const points = opts.stages?.iris === false || opts.stages?.mesh === false ? (opts.stages?.mesh === false ? 0 : 468) : 478;
  try {
    const onlyStdout = (opts.out === undefined || opts.out === '-') && !opts.summaryPath;
    for await (const rec of run.records()) {
      if (onlyStdout && stdoutClosed()) break; // `| head` took what it wanted and nothing else is written
      if (openface) for (const row of openfaceRows(rec)) await sink.write(row);
      else await sink.write(csv ? csvShape(rec, points) : rec);
    }
    if (opts.name !== undefined && run.summary) run.summary.file = opts.name;
    if (opts.summaryPath) await writeFileAtomic(opts.summaryPath, toJsonText(run.summary));
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return run.summary;
}

/**
 * CSV rows need the same columns on every row (the header comes from the first record): a frame without a face gets
 * empty cells for every bbox and landmark column, and only the primary face is written (`faces` has a varying length;
 * use JSONL for several faces).
 */
export function csvShape(rec: FaceRecord, points: number): Record<string, unknown> {
  const { faces: _faces, ...flat } = rec as FaceRecord & Record<string, unknown>;
  void _faces;
  const out = flat as Record<string, unknown>;
  const fill = (k: string, n: number, width: number) => {
    if (k in out && out[k] === null) out[k] = Array.from({ length: n }, () => (width > 1 ? new Array(width).fill(null) : null));
  };
  fill('bbox_px', 4, 1);
  fill('det_bbox_px', 4, 1);
  fill('gaze_right', 3, 1);
  fill('gaze_left', 3, 1);
  fill('landmarks', points, 3);
  fill('landmarks68', points ? 68 : 0, 3);
  return out;
}
