/** mmprep agreement as a library. */
export type { RatingsTable, RatingsDimension, IccType, IccRow, KooLiBand } from './types.js';
export { ICC_TYPES } from './types.js';
export { readRatings, ratingsFromRows, type ReadRatingsOptions } from './read.js';
export { analyzeAgreement, analyzeDimension, type AnalyzeOptions, type AgreementResult, type DimensionResult, type AlphaEntry, type KappaEntry } from './analyze.js';
export { goldLabels, type GoldLabel, type GoldOptions, type GoldAggregate } from './gold.js';
export { iccAnova, iccReml, iccFromMeanSquares, anovaMeanSquares, kooLiBand, type IccResult, type MeanSquares } from './icc.js';
export { fitCrossedReml, type RemlFit } from './reml.js';
export { krippendorffAlpha, ALPHA_METRICS, type AlphaMetric, type AlphaValue } from './alpha.js';
export { fleissKappa, cohenKappa, cohenKappaPairs, percentAgreement, agreementWithinTolerance, kappaFromTable, fleissPerCategory, type CategoryKappa, type ToleranceAgreement } from './kappa.js';
export { gwetAc, brennanPrediger, scottPi, congerKappa, unitTable, unitGrid, weightMatrix, type ChanceCoefficient, type UnitTable } from './chance.js';
export { pairTables, cohenPairs, lightKappa, type PairKappa, type LightKappa } from './pairs.js';
export { planning, spearmanBrownRaters, type Planning } from './planning.js';
export { intraRater, firstOccasion, type IntraRater } from './retest.js';
export { byTarget, type ByTarget } from './layout.js';
export type { RaterDiagnostics, TargetDiagnostics } from './diagnostics.js';
export { evaluateGate, type GateOptions, type GateResult, type GateCheck } from './gate.js';
export { renderReport, escapeHtml } from './report.js';
export { formatAgreementText } from './format.js';
