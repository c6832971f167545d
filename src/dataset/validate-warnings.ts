/**
 * `dataset validate`'s `warnings` check: the session warnings a build recorded (manifest.json `sessions[].issues`,
 * kind and message; `sessions[].warnings` in releases before format 3). Three kinds fail by default, as a release
 * carrying them has labels or times that may be wrong while every other check passes (ttrial45b): `labels_unmatched`
 * (most of a session's rated spans match no utterance: a ratings file shifted by 1.5 s gave 1 of 8 records labelled,
 * on the wrong utterance, exit 0) and `forced_pick` (the session's clock came from `--pick` choosing between sync
 * pulses of similar strength), and since 2026-12-06 `clock_mismatch` (a transcript or rated spans that fit another
 * role's clock clearly better than the one they are read on: ttrial50 W1, every utterance 1.25 s late, validate 0),
 * and since 2026-12-07 `transcript_length` (a TextGrid made on a recording of another length: another session's).
 * `--allow-warning KIND` accepts a kind; `--fail-on-warnings` fails every other kind too,
 * and the release's own lines of kind `mixed_extraction` (sessions extracted in different ways: the card's "Known
 * gaps", made-by-mix.ts), which a re-trial (ttrial45c) found passing `--fail-on-warnings`.
 */
import type { DatasetManifest } from './build.js';
import type { SessionIssue } from './build-session.js';
import { mixedAudioRoleNotes, mixedFaceModelNotes, mixedMadeByNotes } from './made-by-mix.js';
import type { Check } from './validate-scan.js';

/** The kinds that fail `warnings` without --fail-on-warnings (docs/dataset.md "Session warnings"). */
export const FAILING_WARNING_KINDS = ['labels_unmatched', 'forced_pick', 'clock_mismatch', 'transcript_length'] as const;

export interface WarningGate {
  /** Fail on every kind of session warning, not only FAILING_WARNING_KINDS. */
  failOnWarnings?: boolean;
  /** Kinds accepted although they would fail. */
  allowWarnings?: string[];
}

/**
 * A session's warnings with their kinds: `issues` since format 3; before, the kinds that fail by default are read
 * from the prose (the texts their builds wrote), and the rest are `other`.
 */
export function sessionIssues(s: DatasetManifest['sessions'][number]): SessionIssue[] {
  if (Array.isArray(s.issues)) return s.issues;
  return (s.warnings ?? []).map((message) => ({ kind: legacyKind(message), message }));
}

function legacyKind(message: string): string {
  if (/^sync: .*: forced_pick: /.test(message)) return 'forced_pick';
  if (/rated spans of this session in .* match no transcript utterance/.test(message)) return 'labels_unmatched';
  return 'other';
}

/** The release's lines on sessions extracted in different ways (the card's "Known gaps"), as kind `mixed_extraction`. */
export function releaseIssues(m: DatasetManifest): SessionIssue[] {
  const notes = [...mixedMadeByNotes(m.sessions, m.format_version), ...mixedAudioRoleNotes(m.sessions), ...mixedFaceModelNotes(m.sessions)];
  return notes.map((message) => ({ kind: 'mixed_extraction', message }));
}

/** Warnings per kind over the built sessions and the release ({forced_pick: 1, transcript_overlap: 2}), kinds sorted. */
export function warningsByKind(m: DatasetManifest): Record<string, number> {
  const count = new Map<string, number>();
  for (const s of m.sessions) if (!s.error) for (const w of sessionIssues(s)) count.set(w.kind, (count.get(w.kind) ?? 0) + 1);
  for (const w of releaseIssues(m)) count.set(w.kind, (count.get(w.kind) ?? 0) + 1);
  return Object.fromEntries([...count.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Fails `check` for each session warning of a failing kind; returns the ok line. */
export function checkSessionWarnings(m: DatasetManifest, gate: WarningGate, check: Check): string {
  const allowed = new Set(gate.allowWarnings ?? []);
  const fails = (kind: string) => !allowed.has(kind) && (gate.failOnWarnings || (FAILING_WARNING_KINDS as readonly string[]).includes(kind));
  let hinted = false;
  const fail = (where: string, what: string, w: SessionIssue) => {
    const hint = hinted ? '' : ` (pass --allow-warning ${w.kind} to accept it${gate.failOnWarnings ? '' : ` after checking; ${FAILING_WARNING_KINDS.join(' and ')} fail by default`})`;
    hinted = true;
    check.fail(where, `${what}: ${w.kind}: ${w.message}${hint}`);
  };
  for (const s of m.sessions) {
    if (s.error) continue;
    for (const w of sessionIssues(s)) if (fails(w.kind)) fail(s.session_id, `session ${s.session_id}`, w);
  }
  for (const w of releaseIssues(m)) if (fails(w.kind)) fail('release', 'release', w);
  const byKind = Object.entries(warningsByKind(m));
  const total = byKind.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return 'no session warnings';
  const gateText = gate.failOnWarnings ? `--fail-on-warnings, accepted: ${[...allowed].join(', ')}` : `failing kinds: ${FAILING_WARNING_KINDS.filter((k) => !allowed.has(k)).join(', ') || 'none (--allow-warning)'}`;
  return `${total} warning${total === 1 ? '' : 's'} (${byKind.map(([k, n]) => `${k} ${n}`).join(', ')}), none of a failing kind (${gateText})`;
}

/** --allow-warning values: kinds as written (comma-separated or repeated). */
export function parseWarningKinds(items: readonly string[]): string[] {
  return [...new Set(items.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean))];
}
