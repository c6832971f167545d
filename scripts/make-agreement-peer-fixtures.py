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
Nothing here is computed by mmprep.
"""
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


if __name__ == '__main__':
    main()
