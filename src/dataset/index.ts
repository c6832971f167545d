/** The dataset library: transcripts, `dataset build`, `dataset validate`, and the demo pipeline. */
export * from './transcripts/index.js';
export { buildDataset, failedSessionsError, type BuildOptions, type BuildResult, type DatasetManifest, type DatasetSessionOutcome } from './build.js';
export { validateDataset, formatReport, parseMaxMissing, CHECKS, type CheckResult, type ValidateOptions, type ValidateReport, type CheckName } from './validate.js';
export { parseSegmentMode, makeSegments, type Segment, type SegmentMode } from './segments.js';
export { parseSplits, splitKeys, splitOf, speakerPosition, type SplitSpec } from './splits.js';
export { parseFeatureList, AUDIO_FIELDS, FACE_FIELDS, AUDIO_GROUPS, FACE_GROUPS } from './features.js';
export { WeightedScalar, WeightedVector, overlapWeight } from './functionals.js';
export { readLabelFiles, assignTargets, type LabelSet } from './labels.js';
export { datasetSchema } from './schema.js';
export { writeSyntheticSession, type SyntheticSession } from './synthetic-features.js';
export { runDemo, demoFixturesDir, type DemoResult, type DemoStage } from './demo.js';
