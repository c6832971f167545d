#!/usr/bin/env node
/**
 * The content check's reading (xcorr.ts fineAtOffset, beeps masked) on a case of scripts/make-content-pairs.mjs built
 * in memory at 16 kHz (no codec): the genuine pair and another session's second sound beside the same lav, over the
 * first WIN s of each (the kept windows). Uses dist/ (build first). Prints both z and overlaps.
 *
 *   node scripts/measure-content-kernel.mjs CONDITION DUR_S SEED [WIN_S=60]
 */
import { conditions, draws, session } from './make-content-pairs.mjs';
import { fineAtOffset } from '../dist/sync/xcorr/xcorr.js';
import { withoutPulses } from '../dist/sync/checks/content-mismatch.js';
const SR = 16000;
const [cond, dur, seed, win] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 60)];
const c = { ...conditions().find((x) => x.cond === cond), dur };
const own = draws(c, seed, 0);
const a = session(c, own);
const theirs = draws(c, seed + 7919, 2);
const m2 = session(c, theirs).mic;
const offOther = own.beeps[0] - (theirs.micBeeps[0] - theirs.offset);
const lavW = withoutPulses(a.lav.subarray(0, win * SR), 0, SR, own.beeps.map((t) => ({ t_s: t, duration_s: 0.25 })));
const tm = (own.micBeeps[0] - own.offset) / (1 + own.k);
const micW = withoutPulses(a.mic.subarray(0, win * SR), 0, SR, [{ t_s: tm, duration_s: 0.25 }]);
const tm2 = (theirs.micBeeps[0] - theirs.offset) / (1 + theirs.k);
const mic2W = withoutPulses(m2.subarray(0, win * SR), 0, SR, [{ t_s: tm2, duration_s: 0.25 }]);
const t0 = process.cpuUsage();
const g = fineAtOffset(lavW, 0, micW, 0, SR, own.offset + own.k * win / 2);
const o = fineAtOffset(lavW, 0, mic2W, 0, SR, offOther);
console.log(cond, dur, seed, 'genuine z', g?.z.toFixed(2), 'ov', g?.overlap_s.toFixed(1), 'other z', o?.z.toFixed(2), 'ov', o?.overlap_s.toFixed(1), 'cpu ms', Math.round((process.cpuUsage(t0).user) / 1000));
