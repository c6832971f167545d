/**
 * A camera that started after the session's start pulse (trial 2026-12-03 item 4): its sound, placed by
 * cross-correlation, puts the reference's start beep before the picture's first frame (flashGuides maps it there), and
 * the flash was searched for at a time the file holds no frame of. The refusal then named whatever the guide's span
 * showed ("no flash: a small bright spot ... stays lit and steady ... drive the LED from the beep's trigger"), sending the
 * user to the LED. Such a guide is not searched (its window is not decoded for it) and the window's line says why.
 */
import { ENDS_BOTH_ADVICE } from './end-hint.js';
import type { FlashGuide } from '../flash/scan-video.js';
import type { SearchWindow, SyncWarning } from '../windows.js';

/**
 * The guides whose pulse, with its tolerance (3 frames + 50 ms of audio/video skew), lies wholly before the picture's
 * first frame (`firstFrameS`, the stream's start time), and the others.
 */
export function guidesBeforePicture(guides: FlashGuide[], firstFrameS: number): { kept: FlashGuide[]; missed: FlashGuide[] } {
  const before = (g: FlashGuide) => g.t_s + g.tolerance_s < firstFrameS;
  return { kept: guides.filter((g) => !before(g)), missed: guides.filter(before) };
}

/** The windows left to decode: a window whose only guides lie before the first frame is not searched. */
export function windowsToSearch<T extends SearchWindow>(windows: T[], kept: FlashGuide[], missed: FlashGuide[]): T[] {
  return windows.filter((w) => !missed.some((g) => g.window === w.name) || kept.some((g) => g.window === w.name));
}

/**
 * The window's `unplaceable_pulse` line for a start pulse before the first frame. `endSearched`: the session's end is
 * searched too (--ends both, or a whole file), so no --ends advice (its end pulse places the picture when there is one).
 */
export function lateCameraWarning(g: FlashGuide, firstFrameS: number, endSearched: boolean): SyncWarning {
  // Under --ends start the way out is the end pulse; --share-camera-clock is offered by the refusal's skew note (place.ts
  // skewNote) where the camera's sound is placed.
  // Under --ends start the reference's end window is then looked at and this advice made specific (end-hint.ts lateCameraAdvice).
  const ends = endSearched ? '' : ENDS_BOTH_ADVICE;
  return {
    code: 'unplaceable_pulse',
    message: `start window: the session's start pulse falls ${(firstFrameS - g.t_s).toFixed(1)} s before this camera's recording began (it started late: the pulse at ${g.t_s.toFixed(3)} s on its clock, where its sound puts it; its first frame at ${firstFrameS.toFixed(3)} s), so its picture cannot show that flash${ends}`,
  };
}
