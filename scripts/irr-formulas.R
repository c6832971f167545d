#!/usr/bin/env Rscript
# Reference values for mmprep agreement's per-category Fleiss kappa, Conger's kappa and percent agreement within a
# tolerance, from the formulas of R's irr package (irr 0.84.1: kappam.fleiss(detail = TRUE), kappam.fleiss(exact =
# TRUE), agree(tolerance = t)), written here in base R. irr is not packaged by Debian, so, as scripts/ac2-by-value.R
# does for irrCAC, the formulas are re-implemented from its documentation and published sources:
#   - category-wise kappa (Fleiss 1971): kappa_j = (pjk - p_j) / (1 - p_j), pjk = (sum_i x_ij^2 - n m p_j) / (n m (m-1) p_j);
#     its SE under H0 sqrt(2 / (n m (m - 1))) (Fleiss, Nee & Landis 1979; irr >= 0.6), z, p = 2 (1 - pnorm(|z|));
#   - overall z: var0 = 2 / ((sum p_j q_j)^2 n m (m-1)) ((sum p_j q_j)^2 - sum p_j q_j (q_j - p_j));
#   - exact kappa (Conger 1980): chance agreement sum_j p_j^2 - sum_j var_g(p_gj) / m (var with m - 1 divisor);
#   - agree(tolerance = t): share of targets whose ratings span at most t (max - min <= t).
# irr drops incomplete targets (na.omit) everywhere; mmprep's percent agreement uses every target with two or more
# ratings, so for files with missing ratings the tolerance figure is also written on those ("targets_2plus").
# Pairwise agreement within t (share of rating pairs of a target at most t apart) has no irr function: written from
# its definition.
# Needs Debian's r-base-core and r-cran-jsonlite:
#   Rscript scripts/irr-formulas.R     (from the repository root; writes fixtures/agreement/expected/irr-formulas.json)
library(jsonlite)

read_wide <- function(path) as.matrix(read.csv(path, check.names = FALSE, stringsAsFactors = FALSE)[, -1])

count_table <- function(r, lev) t(apply(r, 1, function(v) as.numeric(table(factor(v, levels = lev)))))

fleiss_detail <- function(r) {
  r <- r[stats::complete.cases(r), , drop = FALSE]
  ns <- nrow(r); nr <- ncol(r)
  lev <- sort(unique(as.vector(r)))
  tt <- count_table(r, lev)
  pj <- colSums(tt) / (ns * nr); qj <- 1 - pj
  agree_p <- sum((rowSums(tt^2) - nr) / (nr * (nr - 1))) / ns
  chance_p <- sum(pj^2)
  kappa <- (agree_p - chance_p) / (1 - chance_p)
  var0 <- 2 / (sum(pj * qj)^2 * ns * nr * (nr - 1)) * (sum(pj * qj)^2 - sum(pj * qj * (qj - pj)))
  z <- kappa / sqrt(var0)
  pjk <- (colSums(tt^2) - ns * nr * pj) / (ns * nr * (nr - 1) * pj)
  kj <- (pjk - pj) / (1 - pj)
  zj <- kj / sqrt(2 / (ns * nr * (nr - 1)))
  rater_share <- t(apply(r, 2, function(v) as.numeric(table(factor(v, levels = lev))) / ns))
  exact_chance <- sum(pj^2) - sum(apply(rater_share, 2, var)) / nr
  per <- lapply(seq_along(lev), function(j) list(share = pj[j], kappa = kj[j], z = zj[j], p = 2 * pnorm(-abs(zj[j]))))
  names(per) <- as.character(lev)
  list(n_subjects = ns, kappa = kappa, z = z, p = 2 * pnorm(-abs(z)), exact_conger = (agree_p - exact_chance) / (1 - exact_chance), per_category = per)
}

within_tolerance <- function(r, tol) {
  spans <- function(rows) apply(rows, 1, function(v) { v <- v[!is.na(v)]; max(v) - min(v) })
  complete <- r[stats::complete.cases(r), , drop = FALSE]
  two <- r[rowSums(!is.na(r)) >= 2, , drop = FALSE]
  pairs <- 0; close <- 0
  for (i in seq_len(nrow(two))) {
    v <- two[i, !is.na(two[i, ])]
    d <- abs(outer(v, v, "-"))[upper.tri(diag(length(v)))]
    pairs <- pairs + length(d); close <- close + sum(d <= tol)
  }
  list(tolerance = tol, irr_agree_complete = sum(spans(complete) <= tol) / nrow(complete), n_complete = nrow(complete),
       all_within_targets_2plus = sum(spans(two) <= tol) / nrow(two), n_targets_2plus = nrow(two), pairwise_within = close / pairs)
}

data_dir <- file.path("fixtures", "agreement", "data")
diag <- read_wide(file.path(data_dir, "diagnoses_fleiss1971.csv"))
miss <- read_wide(file.path(data_dir, "miss01_n20_k4_likert_10pct.csv"))
likert <- read_wide(file.path(data_dir, "rand11_n40_k4_likert.csv"))
out <- list(
  source = paste0("irr 0.84.1 formulas in base ", R.version.string, " (scripts/irr-formulas.R)"),
  diagnoses_fleiss1971 = list(data = "fixtures/agreement/data/diagnoses_fleiss1971.csv", fleiss = fleiss_detail(diag)),
  miss01_n20_k4_likert_10pct = list(data = "fixtures/agreement/data/miss01_n20_k4_likert_10pct.csv", categorical = TRUE, fleiss = fleiss_detail(miss),
                                    tolerance = lapply(c(0, 1), function(t) within_tolerance(miss, t))),
  rand11_n40_k4_likert = list(data = "fixtures/agreement/data/rand11_n40_k4_likert.csv", tolerance = lapply(c(0, 1, 2), function(t) within_tolerance(likert, t)))
)
path <- file.path("fixtures", "agreement", "expected", "irr-formulas.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), path)
message("wrote ", path)
