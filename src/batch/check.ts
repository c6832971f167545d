/**
 * `mmprep extract MANIFEST --check`: the checks a run makes before its first session, over every row (not one shard's
 * share), writing nothing and starting no stage, so a scheduler can run it once before submitting an array of shards
 * (ttrial51 F3: a path typo stopped only its own shard, and seeing every problem took an unsharded run, which started
 * the work). Manifest problems (columns, ids, roles, sync_options, missing or unreadable files, transcripts) are one
 * ManifestError listing each; bad stage options one InputError, as a run refuses them.
 */
import { orderStages } from './extract-session.js';
import { checkStageOptions, STAGE_NAMES, type StageName, type StageOptions } from './extract-stages.js';
import { manifestWarnings } from './extract.js';
import { readManifest, type Manifest } from './manifest.js';

export interface CheckOptions {
  only?: StageName[];
  refRole?: string;
  delimiter?: string;
  allowColumns?: string[];
  stageOptions?: StageOptions;
}

export interface CheckSummary {
  manifest: string;
  sessions: number;
  /** Distinct media files named by the manifest, each found readable. */
  media_files: number;
  transcripts: number;
  stages: StageName[];
  /** The manifest's warnings (shared media files, copied rows, ...), said on stderr as a run says them. */
  warnings: number;
}

/** Checks the manifest and every file it names as a run would; throws ManifestError (every problem) or InputError. */
export async function checkManifest(path: string, opts: CheckOptions): Promise<{ summary: CheckSummary; notes: string[] }> {
  const stages = orderStages(opts.only && opts.only.length ? opts.only : [...STAGE_NAMES]);
  await checkStageOptions(stages, opts.stageOptions ?? {});
  const manifest = await readManifest(path, { refRole: opts.refRole, delimiter: opts.delimiter, allowColumns: opts.allowColumns, checkReadable: true });
  return { summary: summaryOf(manifest, stages), notes: manifest.notes };
}

function summaryOf(manifest: Manifest, stages: StageName[]): CheckSummary {
  const media = new Set(manifest.sessions.flatMap((s) => s.media.map((m) => m.path)));
  const transcripts = new Set(manifest.sessions.map((s) => s.transcript).filter((t): t is string => typeof t === 'string' && t !== ''));
  return { manifest: manifest.path, sessions: manifest.sessions.length, media_files: media.size, transcripts: transcripts.size, stages, warnings: manifestWarnings(manifest.notes).length };
}
