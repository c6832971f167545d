/**
 * A stream placed by its content (cross-correlation, place.ts placeByXcorr) is placed at the lag of the talkers it
 * shares with its partner, not at the beep's. The beep defines the common clock (docs/sync.md "Test cases with known
 * truth"): where the talkers and the sync loudspeaker stand at other distances from the two microphones, the two lags
 * differ. A source S
 * reaches microphones A and B with the lag (|S-A| - |S-B|) / c, which the triangle inequality keeps within |A-B| / c of
 * zero; so the content's lag and the beep's differ by at most 2 |A-B| / c. mmprep knows no distances: it assumes the
 * microphones stand at most ROOM_MIC_SPACING_M apart and counts half that bound as the offset's sd (the bound is 2 sd).
 * Measured on generated rooms with talkers and loudspeaker placed apart (scripts/make-sync-rooms.mjs --geometry):
 * docs/sync.md "Known limits", "A stream placed by its content is at the talkers' lag".
 */

/** Speed of sound in air at about 20 °C, m/s (ISO 9613-1). */
const SOUND_M_S = 343;

/**
 * The largest distance assumed between two microphones of a session (a lav and a room or camera microphone in an
 * interview room: the participant 1-3 m from the room microphone). A microphone farther away can be off by more.
 */
export const ROOM_MIC_SPACING_M = 3;

/** The largest difference (s) between the content's lag and the beep's under that assumption: 2 x 3 m / 343 m/s. */
export const CONTENT_LAG_BOUND_S = (2 * ROOM_MIC_SPACING_M) / SOUND_M_S;

/** The sd (s) a content placement adds for it: half the bound. */
export const CONTENT_LAG_SD_S = CONTENT_LAG_BOUND_S / 2;

/**
 * The sd (s) a stream placed by its content carries beyond the checks' own: the content lag's, the distance between
 * the lags at which the two halves of its window match best at the fitted drift (xcorr.ts halves_ms, counted whole as
 * one sd: a window whose halves disagree says its lag is known no better than that), and the one the stream it was
 * placed against carries (`fromLagSd`). Room variant 150 (--geometry drawn), `rt3-drr-6-snr10-aac-both`: placed 29.6 ms
 * off with its halves 23.6 ms apart (window drift -151 ppm, true -65 ppm); the 40 other content placements of that set
 * matched in halves under 0.4 ms apart (their sds 8.75 ms, to 0.01 ms).
 */
export function contentLagSd(fromLagSd: number | undefined, halvesMs: number | null): number {
  return Math.hypot(CONTENT_LAG_SD_S, (halvesMs ?? 0) / 1000, fromLagSd ?? 0);
}

/** The offset's reported sd: the placement's own (null: unknown, counted 0) and its content lag's, when it has one. */
export function reportedOffsetSd(offsetSd: number | null, lagSd: number | undefined): number | null {
  if (lagSd === undefined) return offsetSd;
  return Math.hypot(offsetSd ?? 0, lagSd);
}

/**
 * The warning a stream carries whose drift comes from its pulse at one end and its content at the other (place.ts
 * driftFromOtherEnd): the two points lie at the beep's lag and the talkers' (told on stderr: warnings.ts).
 */
export function contentDriftWarning(partner: string, spanS: number): { code: string; message: string } {
  return {
    code: 'content_lag',
    message: `its drift comes from its pulse at one end and its content (cross-correlated with ${partner}) at the other: the content lies at the talkers' lag, not the beep's, up to ${(CONTENT_LAG_BOUND_S * 1000).toFixed(1)} ms from it for microphones up to ${ROOM_MIC_SPACING_M} m apart, so drift_sd_ppm counts ${(CONTENT_LAG_SD_S * 1000).toFixed(1)} ms over the ${spanS.toFixed(1)} s between them (the clock at the far end is uncertain by that much)`,
  };
}

/**
 * The warning a stream carries whose drift comes from its content's lags in its start and end windows and whose offset
 * from its pulse (continuity.ts driftFromContent, --ends start): the talkers' lag cancels where the same talker is heard
 * best in both windows; where another is, the two lags differ by up to the same bound.
 */
export function contentLinesDriftWarning(partner: string, spanS: number): { code: string; message: string } {
  return {
    code: 'content_lag',
    message: `its drift comes from its content (cross-correlated with ${partner}) in its start and end windows, ${spanS.toFixed(1)} s apart: both lie at the talkers' lag, which cancels where the same talker is heard best in both, but where another is the two lags differ by up to ${(CONTENT_LAG_BOUND_S * 1000).toFixed(1)} ms for microphones up to ${ROOM_MIC_SPACING_M} m apart, so drift_sd_ppm counts ${(CONTENT_LAG_SD_S * 1000).toFixed(1)} ms over that span (the clock at the far end is uncertain by that much)`,
  };
}

/** The warning a content placement carries (told on stderr: warnings.ts). */
export function contentLagWarning(partner: string, lagSd: number, halvesMs: number | null): { code: string; message: string } {
  const ms = (v: number) => (v * 1000).toFixed(1);
  const halves = halvesMs !== null && Math.abs(halvesMs) >= 1 ? `, and the two halves of its window match ${Math.abs(halvesMs).toFixed(1)} ms apart` : '';
  return {
    code: 'content_lag',
    message:
      `placed by its content, at the talkers' lag against ${partner}, not the beep's: where the talkers and the beep's loudspeaker stand at other distances from the two microphones ` +
      `(sound takes 2.9 ms a metre), the two lags differ, by up to ${ms(CONTENT_LAG_BOUND_S)} ms for microphones up to ${ROOM_MIC_SPACING_M} m apart; ` +
      `offset_sd_s counts it${halves} (${ms(lagSd)} ms): a beep this microphone hears clearly times it to about 1 ms`,
  };
}
