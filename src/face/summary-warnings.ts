/**
 * The warning lines a finished face run prints (mmprep face, mmprep extract), each from the summary's counts: what
 * was left out or looks wrong, why, and what to do. Pure: the summary in, lines out.
 */
import type { FaceSummary } from './extract.js';
import { PRIMARY_SCORE_MARGIN } from './primary.js';
import { DETECTOR_PAD_ABOVE } from './detector-aspect.js';
import { MESH_OUTSIDE_POSE_MAX } from './quality.js';
import { shellWord, siblingName } from '../common/shell.js';

type WarnedFields =
  | 'primary_face_switches' | 'primary_face_first_switch_t_s' | 'sample_aspect_ratio' | 'width' | 'height'
  | 'faces_rejected_orientation' | 'faces_rejected_orientation_first_t_s' | 'faces_rejected_implausible' | 'face_null_reasons'
  | 'faces_larger_not_analysed' | 'faces_larger_not_analysed_first_t_s' | 'decode_errors' | 'faces_rejected_flip'
  | 'faces_rejected_flip_first_t_s' | 'faces_rejected_rolled' | 'faces_rejected_rolled_first_t_s' | 'faces_read_sideways'
  | 'faces_read_sideways_direction' | 'faces_read_upside_down' | 'field_order' | 'file' | 'detector_frames' | 'frames_other_face_not_analysed'
  | 'frames_other_face_not_analysed_first_t_s' | 'max_faces' | 'frames_blink_null' | 'frames_eye_not_seen_open' | 'frames_pose_face_outside' | 'mean_luma' | 'frames_repeated_time' | 'frames_repeated_time_first_t_s'
  | 'frames_fewer_faces' | 'inference_width' | 'inference_height' | 'backend' | 'stream_fps';
type WarnedSummary = Pick<FaceSummary, 'frames_analysed' | 'frames_with_face'> & Partial<Pick<FaceSummary, WarnedFields>>;

/** " (first at 1.23 s)", or nothing when the time is not known. */
function firstAt(at: number | null | undefined): string {
  return at === null || at === undefined ? '' : ` (first at ${at.toFixed(2)} s)`;
}

/** What a user should hear about a finished run: a video in which no frame had a face (detection_rate 0), and more. */
export function faceSummaryWarnings(summary: WarnedSummary): string[] {
  const sar = [
    ...largerFaceWarning(summary), ...otherFaceWarning(summary), ...sidewaysWarning(summary), ...upsideDownWarning(summary), ...decodeErrorsWarning(summary), ...leftOutWarnings(summary),
    ...implausibleWarning(summary), ...sarWarning(summary), ...interlacedWarning(summary), ...eyesNotSeenOpenWarning(summary),
    ...poseOutsideWarning(summary), ...repeatedTimeWarning(summary),
    ...wideFrameWarning(summary), ...fewFacesDarkWarning(summary),
  ];
  if (summary.frames_analysed > 0 && summary.frames_with_face === 0) {
    return [noFaceWarning(summary), ...sar];
  }
  const n = summary.primary_face_switches ?? 0;
  if (n > 0) {
    return [
      `the primary face switched to another face ${n} time(s)${firstAt(summary.primary_face_first_switch_t_s)}: two or more people in view, and the one-face series (pose, expressions, landmarks) mixes them; crop the video to the participant (ffmpeg -vf crop=W:H:X:Y), or use --max-faces 2 and follow one face_id`,
      ...sar,
    ];
  }
  return sar;
}

/**
 * Frames whose presentation time repeats the frame's before (or goes back): a muxer bug or a bad variable-frame-rate
 * remux (session 57's trial: an MKV whose frames came in pairs at one time gave pairs of records at one t_s, exit 0).
 * Downstream, time-aligned data would hold two frames at one time, and motion_* divides by a wrong interval.
 */
function repeatedTimeWarning(s: Pick<FaceSummary, 'frames_analysed'> & Partial<Pick<FaceSummary, 'frames_repeated_time' | 'frames_repeated_time_first_t_s' | 'file' | 'stream_fps'>>): string[] {
  const n = s.frames_repeated_time ?? 0;
  if (n === 0) return [];
  const out = s.file ? shellWord(siblingName(s.file, '-cfr.mp4')) : 'out.mp4';
  const fps = s.stream_fps ?? null;
  const rate = fps !== null && fps > 0 ? ffmpegRate(fps) : null;
  const command = `ffmpeg -i ${s.file ? shellWord(s.file) : 'in.mkv'} -vf ${rate ? rate.setpts : 'setpts=N/25/TB'} -r ${rate ? rate.r : '25'} ${out}`;
  const said = rate ? `${command}: ${rate.said}, the stream's declared rate (stream_fps)` : `${command}, 25 being that rate: the stream declares none`;
  return [
    `${n} of ${s.frames_analysed} frames analysed have a presentation time not later than the frame before${firstAt(s.frames_repeated_time_first_t_s)} (frames_repeated_time): the video's timestamps repeat (a muxer bug or a bad variable-frame-rate remux), so records share a t_s and motion_* uses wrong intervals; re-time it at the camera's constant frame rate (${said}) and run again`,
  ];
}

/**
 * A frame rate as ffmpeg's -r and a setpts expression take it: an NTSC rate (n x 1000/1001: 23.976, 29.97, 59.94) as
 * the fraction, so the re-timed frames do not drift off it (30 fps written as 29.97 is 1.8 ms off a minute); a whole
 * rate as it is; any other to 3 decimals. The setpts expression holds no parentheses (a shell's metacharacters):
 * N*1001/30000/TB is evaluated left to right.
 */
function ffmpegRate(fps: number): { r: string; setpts: string; said: string } {
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - ntsc / 1.001) < 1e-5 * fps && Math.abs(fps - ntsc) > 1e-3) {
    return { r: `${ntsc * 1000}/1001`, setpts: `setpts=N*1001/${ntsc * 1000}/TB`, said: `${(ntsc / 1.001).toFixed(3)} fps` };
  }
  const whole = Math.round(fps);
  const r = Math.abs(fps - whole) < 1e-6 * fps ? String(whole) : String(Number(fps.toFixed(3)));
  return { r, setpts: `setpts=N/${r}/TB`, said: `${r} fps` };
}

/**
 * Faces on under half the frames analysed in a dark picture (mean_luma under DARK_LUMA_MAX): the face models lose a
 * face that dark (s01 darkened to mean luma 23: 18 of 20 frames; 20: 3 of 20), and nothing said why where the lost
 * frames were not taken by the plausibility check (implausibleWarning names the darkness there). Not said when no
 * frame kept a face (noFaceWarning says it).
 */
function fewFacesDarkWarning(s: Pick<FaceSummary, 'frames_analysed' | 'frames_with_face'> & Partial<Pick<FaceSummary, 'mean_luma' | 'face_null_reasons'>>): string[] {
  const luma = darkLuma(s);
  if (luma === null || s.frames_with_face === 0 || s.frames_with_face * 2 >= s.frames_analysed || (s.face_null_reasons?.implausible ?? 0) > 0) return [];
  return [
    `faces found on only ${s.frames_with_face} of the ${s.frames_analysed} frames analysed (detection_rate ${(s.frames_with_face / s.frames_analysed).toFixed(2)}): the picture is dark: mean luma ${luma} of 255 (mean_luma), too dark for the face models on the others: light the face, or brighten the video (ffmpeg -vf eq=brightness=0.3)`,
  ];
}

/**
 * Frames whose face is cut by the picture's edge past MESH_OUTSIDE_POSE_MAX (quality.ts): the mesh made up the points
 * beyond it and the pose drifted 5-8 degrees (session 57's trial: yaw +4 on a portrait leaving the picture at one side,
 * nothing said); yaw, pitch and roll are null there.
 */
function poseOutsideWarning(s: Pick<FaceSummary, 'frames_with_face'> & Partial<Pick<FaceSummary, 'frames_pose_face_outside'>>): string[] {
  const n = s.frames_pose_face_outside ?? 0;
  if (n === 0) return [];
  return [
    `${n} of ${s.frames_with_face} frames with a face have over ${MESH_OUTSIDE_POSE_MAX * 100} % of its mesh beyond the picture's edge (mesh_outside_ratio): the mesh makes those points up and the pose drifts with them, so yaw_deg, pitch_deg and roll_deg are null there (pose_null_reason face_outside_picture, frames_pose_face_outside); frame the camera so the whole face stays in the picture`,
  ];
}

/**
 * Frames wider (taller) than DETECTOR_PAD_ABOVE with frames lacking a face or fewer faces than others: the detector
 * sees the whole frame at 256 px on its longer side, padded to 16:9 (detector-aspect.ts), so each face is smaller there
 * than in a crop of it, and a weak face can be lost (two side-by-side or stacked cameras: faces at a third of the 4:3
 * size at 3:1); with the tensorflow backends (Human's own build) it is squashed into the square instead (s01 twice side
 * by side, 8:3: faces on 14 of 38 frames). Cropping each camera gives the detector its faces at full size.
 */
function wideFrameWarning(s: Pick<FaceSummary, 'frames_analysed' | 'frames_with_face'> & Partial<Pick<FaceSummary, 'frames_fewer_faces' | 'inference_width' | 'inference_height' | 'backend'>>): string[] {
  const [w, h] = [s.inference_width ?? 0, s.inference_height ?? 0];
  const wide = w > h * DETECTOR_PAD_ABOVE;
  if (!(wide || h > w * DETECTOR_PAD_ABOVE)) return [];
  const fewer = s.frames_fewer_faces ?? s.frames_analysed - s.frames_with_face;
  if (fewer === 0 && s.frames_with_face === s.frames_analysed) return [];
  const squashed = s.backend === 'tensorflow' || s.backend === 'tensorflow-gpu';
  const ratio = (Math.max(w, h) / Math.min(w, h)).toFixed(2);
  const seen = squashed
    ? `with the ${s.backend} backend the face detector squashes such a frame into its square input, where faces are lost (use --backend wasm, which pads it to 16:9)`
    : 'the face detector sees such a frame padded to 16:9 and shrunk to 256 px on its longer side, so each face is smaller there than in a crop of it and a weak face can be lost';
  const crop = wide ? "crop=iw/2:ih:0:0 and crop=iw/2:ih:iw/2:0 for two side by side" : "crop=iw:ih/2:0:0 and crop=iw:ih/2:0:ih/2 for two stacked";
  const none = s.frames_analysed - s.frames_with_face;
  const lost = s.frames_with_face === 0 ? 'no frame has a face' : `${fewer} of ${s.frames_analysed} frames have fewer faces than the most found on one frame (frames_fewer_faces), ${none} of them none`;
  return [
    `the frames are ${ratio}:1 (${wide ? 'wider' : 'taller'} than 16:9) and ${lost}: ${seen}; if the picture holds several cameras, crop each one and run it on its own (ffmpeg -vf ${crop})`,
  ];
}

/**
 * Most face frames have blink null, some because the eyes never read open (open-eyes.ts): eyes covered by something
 * the visibility cue takes for an eye (ttrial48b: cheek-skin patches), or eyes open narrower than the open level,
 * whose blinks would otherwise go uncounted without a word (blinks counts decided frames only).
 */
function eyesNotSeenOpenWarning(s: Pick<FaceSummary, 'frames_with_face'> & Partial<Pick<FaceSummary, 'frames_blink_null' | 'frames_eye_not_seen_open'>>): string[] {
  const n = s.frames_eye_not_seen_open ?? 0;
  const nulls = s.frames_blink_null ?? 0;
  if (n === 0 || nulls * 2 <= s.frames_with_face) return [];
  return [
    `${nulls} of ${s.frames_with_face} frames with a face have blink null, ${n} because the eyes did not read open within the second before (eye_not_seen_open; an open eye's EAR is at least 1.5 x --blink-ear), so blinks counts only the other frames: the eyes are covered (a skin-coloured patch, a hand) or open narrower than that; if they are uncovered and narrow, run again with a lower --blink-ear (e.g. --blink-ear 0.15)`,
  ];
}

/**
 * Most face frames read rolled near +-90 degrees: a camera turned a quarter with no rotation metadata (trial33: nothing
 * said, yaw and pitch null by the gimbal lock, the mouth's MAR 0.056 against 0.204 with the metadata). The advice turns
 * the picture against the roll read: a face rolled clockwise needs a counter-clockwise quarter turn.
 */
function sidewaysWarning(s: Pick<FaceSummary, 'frames_with_face'> & Partial<Pick<FaceSummary, 'faces_read_sideways' | 'faces_read_sideways_direction'>>): string[] {
  const n = s.faces_read_sideways ?? 0;
  if (n === 0 || n * 2 <= s.frames_with_face) return [];
  const cw = s.faces_read_sideways_direction === 'clockwise';
  return [
    `${n} of ${s.frames_with_face} frames with a face read it rolled ${cw ? 'clockwise' : 'counter-clockwise'} by about 90 degrees (faces_read_sideways): the picture looks sideways (a camera turned a quarter, the file without rotation metadata or with the wrong one), so yaw and pitch are null (gimbal lock) and the mesh's ratios can be off (a trial clip's mar 0.06 against 0.20 upright); if the camera was turned, set the rotation metadata (ffmpeg -i in.mp4 -c copy -metadata:s:v:0 rotate=${cw ? 90 : 270} out.mp4) or turn the picture (ffmpeg -i in.mp4 -vf transpose=${cw ? 2 : 1} out.mp4) and run again`,
  ];
}

/**
 * Most face frames read rolled near 180 degrees: the picture as shown is upside down (a camera mounted so, or rotation
 * metadata 180 degrees from the truth; ttrial57b: roll -177 on every frame, yaw and pitch null, nothing on stderr).
 * hflip,vflip turns the picture as shown by 180 degrees whatever its metadata (ffmpeg applies the rotation first).
 */
function upsideDownWarning(s: Pick<FaceSummary, 'frames_with_face'> & Partial<Pick<FaceSummary, 'faces_read_upside_down'>>): string[] {
  const n = s.faces_read_upside_down ?? 0;
  if (n === 0 || n * 2 <= s.frames_with_face) return [];
  return [
    `${n} of ${s.frames_with_face} frames with a face read it upside down (rolled about 180 degrees, faces_read_upside_down): the picture as shown looks upside down (a camera mounted so, or rotation metadata that turns it the wrong way), so yaw and pitch are null (gimbal lock); if the picture should be upright, turn it (ffmpeg -i in.mp4 -vf hflip,vflip out.mp4, or set the rotation metadata 180 degrees from what ffprobe shows) and run again`,
  ];
}

/**
 * A face larger than the primary one was in view and not analysed (primary.ts): with two people in view the primary
 * face is the largest about as sure as the detector's top face; a larger face scoring far below it is left out.
 */
function largerFaceWarning(s: Partial<Pick<FaceSummary, 'faces_larger_not_analysed' | 'faces_larger_not_analysed_first_t_s'>>): string[] {
  const n = s.faces_larger_not_analysed ?? 0;
  if (n === 0) return [];
  return [
    `a face larger than the primary one was in view and not analysed ${n} time(s) on detector frames${firstAt(s.faces_larger_not_analysed_first_t_s)}: the detector scored it more than ${PRIMARY_SCORE_MARGIN} below the face it took, or its mesh did not come out a confident, plausible face (faces_larger_not_analysed); if the larger face is the participant, crop the video to it (ffmpeg -vf crop=W:H:X:Y) or use --max-faces 2 and follow its face_id; a face the mesh does not take (blurred or dim) needs a sharper, better-lit recording`,
  ];
}

/**
 * Another face in view, not analysed, on more than half the detector frames (ttrial47 W9: one camera filming two
 * participants, both sessions' records the same primary face and nothing said). Per-speaker selection is not a feature:
 * the advice is the two ways to choose today.
 */
function otherFaceWarning(s: Partial<Pick<FaceSummary, 'detector_frames' | 'frames_other_face_not_analysed' | 'frames_other_face_not_analysed_first_t_s' | 'max_faces'>>): string[] {
  const [n, of] = [s.frames_other_face_not_analysed ?? 0, s.detector_frames ?? 0];
  if (n === 0 || n * 2 <= of) return [];
  const k = s.max_faces ?? 1;
  return [
    `another face was in view and not analysed (frames_other_face_not_analysed) on ${n} of ${of} detector frames${firstAt(s.frames_other_face_not_analysed_first_t_s)}: --max-faces ${k} analyses ${k === 1 ? 'one face, the primary one (the larger, nearer face unless the detector is much surer of another)' : `${k} faces`}, so the records follow ${k === 1 ? 'that face' : 'those'} and not the other person; if the camera films two participants, crop the video to each one (ffmpeg -vf crop=W:H:X:Y) and analyse each crop for its session, or use --max-faces ${k + 1} and follow each one's face_id`,
  ];
}

/**
 * Frames decoded from damaged data (a colleague's trial, 2026-12-02: 3 x 300 random bytes written into an H.264 MP4
 * gave ~10 ffmpeg errors, 71 of 72 frames, exit 0 and nothing said). Warned, not refused: a few damaged frames are
 * common in real recordings, and a badly damaged file loses frames, which checkComplete refuses.
 */
function decodeErrorsWarning(s: Partial<Pick<FaceSummary, 'decode_errors'>>): string[] {
  const d = s.decode_errors;
  if (!d || (d.errors === 0 && d.concealed_frames === 0)) return [];
  return [
    `ffmpeg reported ${d.errors} decode error(s) and patched up ${d.concealed_frames} damaged picture(s) (decode_errors): some frames were analysed from damaged data and their features may be wrong; re-encode from the original recording, or replace the file with an undamaged copy`,
  ];
}

/**
 * Mean luma (summary mean_luma, 0..255) under which the warning of a video without a face says the picture is dark.
 * Measured (session 58, tface58: the demo camera s01, 4 s at --fps 5, darkened with ffmpeg eq=brightness=B and
 * noise=alls=20, a dark noisy webcam): faces on 20 of 20 frames at mean luma 94 (B 0), 45, 34 and 30 (B -0.2 to -0.35),
 * 18 at 23 (-0.4), 3 at 20 (-0.45; 14 meshes implausible), 0 at 15 (-0.5). The face models give up between 15 and
 * 25; the lines name the darkness up to twice that (a face smaller or in a darker corner than s01's goes sooner), and
 * only where faces were lost: no frame kept a face, or meshes failed the plausibility check.
 */
export const DARK_LUMA_MAX = 40;

/** The summary's mean_luma, rounded, of a picture darker than DARK_LUMA_MAX; null otherwise (or unknown). */
function darkLuma(s: Partial<Pick<FaceSummary, 'mean_luma'>>): number | null {
  const luma = s.mean_luma ?? null;
  return luma !== null && luma < DARK_LUMA_MAX ? Math.round(luma) : null;
}

/**
 * The run's first line when no frame kept a face. When faces were seen and left out (orientation check, plausibility
 * check), the framing advice would mislead (trial32: a bar over the eyes, 122 of 125 frames "implausible", was told to
 * check the video role): it says so and points at the lines that follow.
 */
function noFaceWarning(s: Pick<FaceSummary, 'frames_analysed'> & Partial<Pick<FaceSummary, 'faces_rejected_orientation' | 'faces_rejected_implausible' | 'faces_rejected_flip' | 'faces_rejected_rolled' | 'mean_luma'>>): string {
  const luma = darkLuma(s);
  const dark = luma !== null ? `the picture is dark: mean luma ${luma} of 255 (mean_luma), too dark for the face models: light the face, or brighten the video (ffmpeg -vf eq=brightness=0.3)` : null;
  const left = (s.faces_rejected_orientation ?? 0) + (s.faces_rejected_implausible ?? 0) + (s.faces_rejected_flip ?? 0) + (s.faces_rejected_rolled ?? 0);
  if (left > 0) return `no face kept in any of the ${s.frames_analysed} frames analysed (detection_rate 0): the detector found faces, and all were left out by the checks the next warnings name${dark ? `; ${dark}` : ''}`;
  return `no face found in any of the ${s.frames_analysed} frames analysed (detection_rate 0): ${dark ? `${dark}; ` : ''}check the video role, --start/--end and the camera framing`;
}

/**
 * A check that leaves faces out, as its warning tells it: the summary's count (`field`) and its first time
 * (`<field>_first_t_s`), where, why, the face_null_reason its frames carry, and what to do. In the order the lines go.
 */
interface LeftOut {
  field: 'faces_rejected_orientation' | 'faces_rejected_flip' | 'faces_rejected_rolled';
  where: string;
  why: string;
  reason: keyof FaceSummary['face_null_reasons'];
  advice: string;
  /**
   * The advice when no frame of the video kept a face: then the boxes left out are most likely not faces at all
   * (ttrial44a: an empty room's armchair and bookshelf, 4 boxes, were told "if the camera was turned, turn the video").
   */
  adviceNoFace?: string;
}

const LEFT_OUT: LeftOut[] = [
  // orientation.ts: a face that could not be told upright or upside down.
  {
    field: 'faces_rejected_orientation',
    where: ' on detector frames',
    why: 'the detector read them both upright and upside down with no clear winner, or upside down and not upright once turned upright',
    reason: 'orientation_doubtful',
    advice: 'an upright face can read so with the mouth or eyes covered or in low light; if the camera was turned, turn the video upright first (ffmpeg -vf hflip,vflip for upside down, transpose=1 or 2 for a quarter turn) and run again',
    adviceNoFace: 'with no face kept in any frame these are most likely not faces but weak detector readings of things in view (furniture, shelves, patterns: an empty room gives them), and nothing needs turning; only if a person was in view and the camera was turned, turn the video upright first (ffmpeg -vf hflip,vflip, or transpose=1 or 2) and run again',
  },
  // flip.ts: read turned more than 90 degrees against the same face's last kept frames (trial32: a palm over an
  // upright face's mouth read upside down on 20 of 79 face frames and kept with nothing said).
  {
    field: 'faces_rejected_flip',
    where: '',
    why: "read turned by more than 90 degrees against the same face's frames just before",
    reason: 'orientation_flip',
    advice: 'a face does not turn so fast, so these were misread (a hand or object over the mouth or eyes, blur); if the video itself turns or cuts to upside-down material, turn that part upright first (ffmpeg -vf hflip,vflip) and run again',
  },
  // flip.ts ROLLED_MIN_MESH_SCORE: read turned past 90 degrees with a mesh score under 0.9 (trial32: a capacitor on a
  // circuit board read as an upside-down face and kept).
  {
    field: 'faces_rejected_rolled',
    where: '',
    why: 'read turned past 90 degrees with a mesh score under 0.9',
    reason: 'rolled_low_mesh_score',
    advice: 'a pattern that is not a face (a capacitor on a circuit board) was read so, while faces turned past 90 degrees measured 1.0; if the camera was turned, turn the video upright first (ffmpeg -vf hflip,vflip, or transpose=1 or 2) and run again',
  },
];

function leftOutWarnings(s: Partial<FaceSummary>): string[] {
  return LEFT_OUT.flatMap((w) => {
    const n = s[w.field];
    if (!n) return [];
    const at = s[`${w.field}_first_t_s`];
    const nulls = s.face_null_reasons;
    const frames = nulls ? `${nulls[w.reason]} frame(s) left without a face by it` : 'the frames left without a face by it';
    const advice = s.frames_with_face === 0 && s.frames_analysed ? (w.adviceNoFace ?? w.advice) : w.advice;
    return [`${n} face(s) left out${w.where}${firstAt(at)}: ${w.why} (${w.field}; ${frames} have face_null_reason "${w.reason}"); ${advice}`];
  });
}

/**
 * Frames left without a face because the mesh found failed the plausibility check (plausibility.ts): a bar over an
 * upright face's mouth did so on most frames of a trial clip (2026-12-04), with records that said nothing.
 */
function implausibleWarning(s: Partial<Pick<FaceSummary, 'faces_rejected_implausible' | 'face_null_reasons' | 'mean_luma'>>): string[] {
  const k = s.face_null_reasons?.implausible ?? 0;
  if (k === 0) return [];
  // A dark picture gives the mesh noise to fit (s01 darkened to mean luma 20: 14 of 20 frames implausible, 3 kept).
  const luma = darkLuma(s);
  const dark = luma !== null ? `, and so can a picture this dark (mean luma ${luma} of 255, mean_luma: light the face)` : '';
  return [
    `${k} frame(s) without a face although the detector and the mesh found one: its mesh failed the human-face plausibility check (face_null_reason "implausible"; faces_rejected_implausible ${s.faces_rejected_implausible ?? k}); a face partly covered (a hand, a bar over the mouth or eyes) can read so, as can a pattern that is not a face${dark}; --no-plausibility keeps such meshes (check them before use)`,
  ];
}

/** Non-square pixels: the coordinates are on the displayed picture, not on the stored frames a script may draw on. */
/**
 * An interlaced video (ffprobe's field_order) is analysed as stored: where the face moves, each frame weaves two
 * instants and eye and mouth ratios read low (ttrial48b W3: a face moving 400 px/s at 25i, mean ear_left 0.305 and mar
 * 0.195 against 0.366 and 0.244 progressive; after yadif 0.364 and 0.248). Warned, not deinterlaced: yadif changes
 * every frame of a still face too, and the frame times stay the file's.
 */
function interlacedWarning(s: Partial<Pick<FaceSummary, 'field_order' | 'file'>>): string[] {
  if (!s.field_order) return [];
  const name = (s.file ?? 'X.mp4').split('/').pop() ?? 'X.mp4';
  return [`the video is interlaced (field order ${s.field_order}): frames were analysed as stored, and where the face moves each weaves two instants, which biases eye and mouth ratios low (17-20 % on a face moving 400 px/s); deinterlace first and analyse that file: ffmpeg -i ${shellWord(name)} -vf yadif -c:v ffv1 -c:a copy ${shellWord(siblingName(name, '-deinterlaced.mkv'))}`];
}

function sarWarning(s: Partial<Pick<FaceSummary, 'sample_aspect_ratio' | 'width' | 'height'>>): string[] {
  const sar = s.sample_aspect_ratio ?? 1;
  if (sar === 1 || s.width === undefined) return [];
  return [`pixels are not square (sample aspect ratio ${sar}): analysed as displayed, ${s.width}x${s.height}; landmarks and *_px fields are in those square pixels, not in the stored frames' (stretch a stored frame to ${s.width}x${s.height} to draw them on it)`];
}

