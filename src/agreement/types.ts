/**
 * The ratings table that every agreement computation works on: per dimension (valence, arousal, …) a flat list of
 * (target, rater, value) triples held in typed arrays, so a million ratings cost a few megabytes.
 */
import type { FarRating } from './off-range.js';

export interface RatingsDimension {
  /** Dimension name ('' when the file has no dimension column). */
  name: string;
  /** Target ids in order of first appearance. */
  targets: string[];
  /** Rater ids in order of first appearance (wide files: column order). */
  raters: string[];
  /** Per rating: index into `targets`. */
  target: Int32Array;
  /** Per rating: index into `raters`. */
  rater: Int32Array;
  /** Per rating: the numeric rating, or for categorical data the index into `categories`. */
  value: Float64Array;
  /** Per rating: the value of the order/time/sequence column, or null when the file has none. */
  order: Float64Array | null;
  /** Per rating: 0-based index of the data record it came from (for error messages). */
  record: Int32Array;
  /** Categorical labels, sorted (numerically when every label is a number, else by code unit) or in --levels order;
   *  null for numeric ratings. */
  categories: string[] | null;
  /** The categories have an order (numeric labels or --levels): weighted kappas, ordinal alpha and AC2 apply. */
  ordered?: boolean;
  /** Test-retest designs: per rating the index into `occasions` (null when every (target, rater) is rated once). */
  occasion?: Int32Array | null;
  /** Occasion names (the occasion column's values, or '1', '2', … for --repeated), in order. */
  occasions?: string[];
  /** Raters left out because they have no rating in this dimension: wide files, a rater column empty on every row;
   *  long files, a rater whose every row has an empty rating. Reported as warnings (analyze.ts). */
  empty_raters?: string[];
  /** Ratings far beyond the other raters' ratings yet possible ratings (off-range.ts, no --scale): kept, and said as
   *  far_rating warnings (analyze.ts). */
  far_ratings?: FarRating[];
  /** The numeric scale's ends as declared (`--scale 1,7`), lowest first; absent when none was declared. */
  scale?: [number, number];
  /** Where the ratings came from (readRatings): the layout, the columns, and the file lines of the records a warning
   *  points at (record -> 1-based line); absent for ratingsFromRows, whose warnings give row numbers. */
  source?: RatingsSource;
}

export interface RatingsSource {
  format: 'long' | 'wide';
  target: string;
  /** Long files: the rater and rating columns (wide: the rater is the column). */
  rater: string | null;
  rating: string | null;
  lines: Map<number, number>;
  /** Records that repeat the header (a file of exports joined one after another), ascending; their lines are in `lines`. */
  headerRecords?: number[];
}

export interface RatingsTable {
  file: string;
  format: 'long' | 'wide';
  categorical: boolean;
  /** Column names used (long: target/rater/rating; wide: target and the rater columns). */
  columns: {
    target: string;
    rater: string | null;
    rating: string | null;
    dimension: string | null;
    order: string | null;
  };
  /** Data records read (rows after the header). */
  n_records: number;
  /** Empty (missing) rating cells seen. */
  n_missing_cells: number;
  dimensions: RatingsDimension[];
  /** Raters left out by `--exclude-rater` (ReadRatingsOptions.excludeRaters), with the ratings skipped. */
  excluded_raters?: Array<{ rater: string; n_ratings: number }>;
  /** Records (0-based, as RatingsDimension.record) that repeat the header: the file joins exports; skipped. */
  header_records?: number[];
  /** Notes on how the file was read (e.g. ignored empty unnamed columns), for stderr. */
  notes?: string[];
}

export type IccType = 'ICC1' | 'ICC2' | 'ICC3' | 'ICC1k' | 'ICC2k' | 'ICC3k';
export const ICC_TYPES: readonly IccType[] = ['ICC1', 'ICC2', 'ICC3', 'ICC1k', 'ICC2k', 'ICC3k'];

export type KooLiBand = 'poor' | 'moderate' | 'good' | 'excellent';

export interface IccRow {
  type: IccType;
  /** Shrout & Fleiss / McGraw & Wong name, e.g. ICC(2,1) = ICC(A,1). */
  label: string;
  icc: number | null;
  f: number | null;
  /** True when F is +Infinity (perfect agreement); `f` is then null. */
  f_infinite: boolean;
  /** Degrees of freedom; null where they would be negative (no or one complete target). */
  df1: number | null;
  df2: number | null;
  p: number | null;
  ci95: [number | null, number | null];
  /** Koo & Li (2016) band of the point value and of the CI bounds. */
  band: KooLiBand | null;
  band_ci: [KooLiBand | null, KooLiBand | null];
  /** One band when the whole CI lies in it, else 'lower–upper'. */
  band_judged: string | null;
  reason: string | null;
}
