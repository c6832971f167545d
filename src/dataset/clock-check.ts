/**
 * The build's check that a transcript's and a ratings file's times are on the clock they are read on (clock-fit.ts
 * scores it): the session's role clocks from sync.json, the spans in the files' own times, and the warnings.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { ManifestSession } from '../batch/manifest.js';
import { isMmprepError } from '../common/errors.js';
import { clockFit, NEAR_S, transcriptSpans, type ClockFit, type RoleClock, type VoicingGrid } from './clock-fit.js';
import { assignTargets, type LabelTargetSpan } from './labels.js';
import type { Segment } from './segments.js';
import { readTranscript, roleClock, syncMediaSha256 } from './transcripts/index.js';

type Column = 'transcript_clock' | 'labels_clock';

/** What the check reads: the roles' clocks, and per file its spans in its own times with the role they are read on. */
export interface ClockCheckPlan {
  roles: RoleClock[];
  transcript: { declared: RoleClock; raw: Array<[number, number]> } | null;
  labels: { declared: RoleClock; raw: Array<[number, number]> } | null;
  /** The latest reference time any role's clock puts a span at (plus its surroundings): the audio is read up to it. */
  until: number;
}

/** The role a column names (empty or `reference`: the session's reference role). */
export function declaredRole(s: ManifestSession, column: Column): string {
  const role = (s.meta[column] ?? '').trim();
  return role === '' || role === 'reference' ? s.ref_role : role;
}

/** Every media role's clock that sync.json gives (the reference role's is the identity); a role it lacks is left out. */
export async function sessionRoleClocks(s: ManifestSession, syncPath: string): Promise<RoleClock[]> {
  if (!existsSync(syncPath)) return [];
  const out: RoleClock[] = [];
  for (const m of s.media) {
    if (m.role === s.ref_role) {
      out.push({ role: m.role, clock: (t) => t });
      continue;
    }
    try {
      out.push({ role: m.role, clock: await roleClock(syncPath, m.path, await syncMediaSha256(syncPath, m.role)) });
    } catch (e) {
      if (!isMmprepError(e)) throw e; // a stream sync failed for: not a clock to compare with
    }
  }
  return out;
}

/**
 * The plan for a session (null when sync.json offers one clock only). Label spans are scored by voicing outside
 * `--segments utterance`; there, rated spans are matched to utterances, and a shift shows as labels_unmatched.
 */
export async function planClockCheck(s: ManifestSession, roles: RoleClock[], labelSpans: readonly LabelTargetSpan[], scoreLabels: boolean): Promise<ClockCheckPlan | null> {
  if (roles.length < 2) return null;
  const of = (column: Column) => roles.find((r) => r.role === declaredRole(s, column));
  const tDeclared = of('transcript_clock');
  const lDeclared = of('labels_clock');
  const transcript = s.transcript && tDeclared ? { declared: tDeclared, raw: transcriptSpans(await readTranscript(s.transcript)) } : null;
  const labels = scoreLabels && lDeclared && labelSpans.length ? { declared: lDeclared, raw: labelSpans.map((x) => [x.start_s, x.end_s] as [number, number]) } : null;
  const ends = [...(transcript?.raw ?? []), ...(labels?.raw ?? [])].map(([, b]) => b);
  if (ends.length === 0) return null;
  const last = Math.max(...ends);
  return { roles, transcript, labels, until: Math.max(...roles.map((r) => r.clock(last))) + NEAR_S + 1 };
}

/** The fits of a plan's files on the audio's voicing (null where the file is not checked). */
export function runClockCheck(plan: ClockCheckPlan, g: VoicingGrid | null): { transcript: ClockFit | null; labels: ClockFit | null } {
  const fit = (p: ClockCheckPlan['transcript']) => (p ? clockFit(p.raw, p.declared, plan.roles, g) : null);
  return { transcript: fit(plan.transcript), labels: fit(plan.labels) };
}

/** Seconds between where two clocks put the middle of the spans, signed: positive when `a` puts it later. */
function shiftAt(raw: Array<[number, number]>, a: RoleClock, b: RoleClock): number {
  const mid = raw.length ? (raw[0][0] + raw[raw.length - 1][1]) / 2 : 0;
  return a.clock(mid) - b.clock(mid);
}

/** The warning (kind clock_mismatch) for a file whose times fit another role's clock clearly better. */
export function clockMismatchWarning(fit: ClockFit | null, p: ClockCheckPlan['transcript'], roles: readonly RoleClock[], s: ManifestSession, what: 'transcript' | 'labels', labelsFile: string | null): string[] {
  if (!fit?.fits_better || !p) return [];
  const better = roles.find((r) => r.role === fit.fits_better)!;
  const column: Column = what === 'transcript' ? 'transcript_clock' : 'labels_clock';
  const given = (s.meta[column] ?? '').trim();
  const readOn = given === '' ? `${column} is empty: the reference role ${fit.declared}'s clock` : `${column} ${given}`;
  const shift = shiftAt(p.raw, p.declared, better);
  const subject = what === 'transcript' ? `transcript ${s.transcript}: its words` : `the start_s/end_s of ${labelsFile ? basename(labelsFile) : 'the labels file'}: its rated spans`;
  const fmt = (x: number | null | undefined) => (x === null || x === undefined ? 'none' : x.toFixed(3));
  const records = `its records sit ${Math.abs(shift).toFixed(3)} s ${shift > 0 ? 'later' : 'earlier'} than ${better.role}'s clock puts them`;
  return [
    `manifest line ${s.line}: ${subject} fit the clock of role ${better.role} better than the one they were read on (${readOn}): voicing score ${fmt(fit.contrast[better.role])} on ${better.role}'s clock against ${fmt(fit.contrast[fit.declared])} (the voiced share of the audio inside the spans minus that around them); ${records}; if the times were taken from ${better.role}'s file, write ${better.role} in the ${column} column; otherwise check the file`,
  ];
}

/**
 * For labels_unmatched (utterance mode): another role's clock on which most rated spans match an utterance (IoU >= 0.5,
 * assignTargets), and how many; null when none does better than the clock they were read on. Camera-clock ratings
 * without labels_clock were caught, but the line asked about transcript_clock and not labels_clock, though every span
 * sat one camera offset from its utterance (ttrial50 R3).
 */
export function spansMatchOnOtherClock(segments: Segment[], raw: readonly LabelTargetSpan[], declared: RoleClock, roles: readonly RoleClock[], file: string): { role: string; matched: number } | null {
  const ids = new Set(segments.map((g) => g.id));
  const matched = (r: RoleClock) => {
    // A span named by its record id is checked against that record (checkIdSpan), not matched: left out here.
    const mapped = raw.filter((x) => !ids.has(x.target)).map((x) => ({ ...x, start_s: r.clock(x.start_s), end_s: r.clock(x.end_s) }));
    const used = new Set(assignTargets(segments, mapped, file).flat());
    return mapped.filter((x) => used.has(x.target)).length;
  };
  const base = matched(declared);
  let best: { role: string; matched: number } | null = null;
  for (const r of roles) {
    if (r.role === declared.role) continue;
    const n = matched(r);
    if (n * 2 > raw.length && n > base && (!best || n > best.matched)) best = { role: r.role, matched: n };
  }
  return best;
}
