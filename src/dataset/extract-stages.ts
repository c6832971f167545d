/**
 * The per-session stages of `mmprep extract` behind one small interface, so the orchestrator (pool, resume, errors,
 * progress) does not depend on how each capability is called. Each stage adapter calls the library of its capability
 * (src/sync, src/audio, src/face) and writes its files into the session folder on the session's reference clock.
 */
import type { SyncMap } from '../sync/clock.js';
import type { ManifestSession } from './manifest.js';

export const STAGE_NAMES = ['sync', 'audio', 'face'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Options that change what a stage writes (recorded in meta.json and compared by --resume). */
export interface StageOptions {
  /** tfjs backend for face inference (face's default when undefined). */
  backend?: string;
  /** Analyse video at this frame rate (every frame when undefined). */
  faceFps?: number;
  /** Faces tracked per frame (face's default when undefined). */
  maxFaces?: number;
}

export interface StageContext {
  session: ManifestSession;
  /** The session's output folder (exists). */
  dir: string;
  options: StageOptions;
  /** The session's sync map once the sync stage ran (or an existing sync.json when sync is not among the stages). */
  syncMap: SyncMap | null;
  /** Worker threads face inference may use for this session. */
  faceWorkers: number;
}

export interface StageResult {
  /** File names written into the session folder. */
  files: string[];
  /** Seconds of media this stage processed (for throughput figures). */
  media_s?: number;
  /** Returned by the sync stage: the map later stages apply. */
  syncMap?: SyncMap;
  warnings?: string[];
}

export type StageFn = (ctx: StageContext) => Promise<StageResult>;
export type StageTable = Partial<Record<StageName, StageFn>>;

/** The files a stage writes (what --resume checks and what a rolled-back session loses). */
export const STAGE_FILES: Record<StageName, string[]> = {
  sync: ['sync.json'],
  audio: ['audio.jsonl', 'audio.summary.json'],
  face: ['face.jsonl', 'face.summary.json'],
};

/** The stages this build has. Each capability's adapter is added here when its library exists. */
export async function loadStages(): Promise<StageTable> {
  return {};
}
