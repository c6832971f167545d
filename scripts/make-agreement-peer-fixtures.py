#!/usr/bin/python3
"""Reference outputs for mmprep agreement's pairwise and multi-rater kappas (issue 14), written deterministically.

Run with Debian's python3 and its python3-statsmodels 0.13.5 (apt-get install python3-statsmodels):
    /usr/bin/python3 scripts/make-agreement-peer-fixtures.py

Writes
  fixtures/agreement/data/diagnoses_fleiss1971.csv   the `diagnoses` data of R's irr package (Fleiss 1971: 30
      patients, 6 psychiatrists, 5 diagnoses), exported from the copy statsmodels ships in its test suite
      (statsmodels/stats/tests/test_inter_rater.py, `diagnoses`, "R:irr diagnoses"); codes 1-5 written as irr's
      factor levels ("1. Depression", ...; irr man/diagnoses.Rd).
  fixtures/agreement/expected/diagnoses_fleiss1971.statsmodels.json   statsmodels' cohens_kappa (kappa and its
      asymptotic SE `std_kappa`, unweighted and linear/quadratic weighted) for every rater pair, Light's kappa (their
      mean), fleiss_kappa (Fleiss) and fleiss_kappa(method='randolph') (free-marginal = Brennan-Prediger).
  fixtures/agreement/data/retest_two_raters.csv   a small test-retest design (12 clips, raters A and B, occasions
      s1 and s2, numeric ratings, generated here from a fixed formula) and
  fixtures/agreement/expected/retest_two_raters.psych.json   psych::ICC(lmer=FALSE) (Debian r-cran-psych 2.2.9) of each
      rater's clips x occasions table (intra-rater ICC3) and of the first-occasion clips x raters table.
Nothing here is computed by mmprep.
"""
import subprocess
import json
import os
import sys

import numpy as np
import statsmodels
from statsmodels.stats import inter_rater as ir
from statsmodels.stats.tests import test_inter_rater as smt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEVELS = ['1. Depression', '2. Personality Disorder', '3. Schizophrenia', '4. Neurosis', '5. Other']


def main():
    diag = np.asarray(smt.diagnoses, dtype=int)
    raters = list(smt.diagnoses_colnames)
    data = os.path.join(ROOT, 'fixtures', 'agreement', 'data', 'diagnoses_fleiss1971.csv')
    with open(data, 'w', encoding='utf-8', newline='\n') as f:
        f.write('patient,' + ','.join(raters) + '\n')
        for i, row in enumerate(diag):
            f.write(f'{i + 1},' + ','.join(LEVELS[v - 1] for v in row) + '\n')
    bins = np.arange(0.5, 6.5)
    pairs = []
    for a in range(len(raters)):
        for b in range(a + 1, len(raters)):
            table = np.histogram2d(diag[:, a], diag[:, b], bins=[bins, bins])[0]
            entry = {'raters': [raters[a], raters[b]]}
            for name, wt in (('unweighted', None), ('linear', 'linear'), ('quadratic', 'quadratic')):
                r = ir.cohens_kappa(table, wt=wt)
                entry[name] = {'kappa': float(r.kappa), 'std_kappa': float(r.std_kappa)}
            pairs.append(entry)
    counts = ir.aggregate_raters(diag)[0]
    out = {
        'source': f'statsmodels {statsmodels.__version__} (Debian python3-statsmodels), numpy {np.__version__}',
        'data': 'fixtures/agreement/data/diagnoses_fleiss1971.csv',
        'cohen_pairs': pairs,
        'light': float(np.mean([p['unweighted']['kappa'] for p in pairs])),
        'fleiss_kappa': float(ir.fleiss_kappa(counts, method='fleiss')),
        'randolph_kappa': float(ir.fleiss_kappa(counts, method='randolph')),
    }
    path = os.path.join(ROOT, 'fixtures', 'agreement', 'expected', 'diagnoses_fleiss1971.statsmodels.json')
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'wrote {data} and {path}', file=sys.stderr)
    retest()


def retest():
    """Clip c: truth 1 + (7c mod 9) / 2; rater A adds (c mod 3 - 1) / 2 on s2, rater B is 1 higher and adds (c mod 2) on s2."""
    rows = []
    for c in range(12):
        truth = 1 + ((7 * c) % 9) / 2
        for rater, off, retest_off in (('A', 0.0, ((c % 3) - 1) / 2), ('B', 1.0, float(c % 2))):
            rows.append((f'clip{c + 1}', rater, 's1', truth + off))
            rows.append((f'clip{c + 1}', rater, 's2', truth + off + retest_off))
    data = os.path.join(ROOT, 'fixtures', 'agreement', 'data', 'retest_two_raters.csv')
    with open(data, 'w', encoding='utf-8', newline='\n') as f:
        f.write('target,rater,occasion,rating\n')
        for r in rows:
            f.write(f'{r[0]},{r[1]},{r[2]},{r[3]:g}\n')
    script = f"""
suppressMessages(library(psych))
x <- read.csv('{data}')
one <- function(m) {{ r <- ICC(m, lmer = FALSE)$results; r[r$type == 'ICC3', c('ICC', 'lower bound', 'upper bound')] }}
out <- list()
for (rt in c('A', 'B')) {{
  s <- x[x$rater == rt, ]
  m <- cbind(s1 = s$rating[s$occasion == 's1'], s2 = s$rating[s$occasion == 's2'])
  v <- one(m); out[[rt]] <- c(v[[1]], v[[2]], v[[3]])
}}
f <- x[x$occasion == 's1', ]
m <- cbind(A = f$rating[f$rater == 'A'], B = f$rating[f$rater == 'B'])
r <- ICC(m, lmer = FALSE)$results
cat(sprintf('%s %.17g %.17g %.17g\\n', c('A', 'B'), sapply(out, `[`, 1), sapply(out, `[`, 2), sapply(out, `[`, 3)), sep = '')
cat(sprintf('inter %.17g %.17g\\n', r$ICC[r$type == 'ICC2'], r$ICC[r$type == 'ICC3']))
cat(sprintf('version %s\\n', as.character(packageVersion('psych'))))
"""
    out = subprocess.run(['Rscript', '-e', script], check=True, capture_output=True, text=True).stdout.split('\n')
    res = {'source': 'R psych::ICC(lmer = FALSE)', 'intra_icc3': {}, 'data': 'fixtures/agreement/data/retest_two_raters.csv'}
    for line in out:
        p = line.split()
        if not p:
            continue
        if p[0] in ('A', 'B'):
            res['intra_icc3'][p[0]] = {'icc': float(p[1]), 'ci95': [float(p[2]), float(p[3])]}
        elif p[0] == 'inter':
            res['inter_first_occasion'] = {'ICC2': float(p[1]), 'ICC3': float(p[2])}
        elif p[0] == 'version':
            res['source'] += f' {p[1]} (Debian r-cran-psych)'
    path = os.path.join(ROOT, 'fixtures', 'agreement', 'expected', 'retest_two_raters.psych.json')
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'wrote {data} and {path}', file=sys.stderr)


if __name__ == '__main__':
    main()
