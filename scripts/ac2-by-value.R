#!/usr/bin/env Rscript
# Gwet's AC2 with irrCAC's weights, which use the categories' values when they are numbers (linear.weights,
# quadratic.weights: 1 - |x_k - x_l| / (max - min), 1 - (x_k - x_l)^2 / (max - min)^2): what test/agreement-coefficients
# compares mmprep's AC2 with on unevenly spaced ratings (fixtures/agreement/data/cohen_ordinal_gap.csv: 1, 2, 3, 5).
# irrCAC is not on CRAN's Debian mirror, so this ports gwet.ac1.raw (irrCAC 1.0, R/agree.coeff3.raw.r) line by line.
#   Rscript scripts/ac2-by-value.R fixtures/agreement/data/cohen_ordinal_gap.csv
args <- commandArgs(trailingOnly = TRUE)
x <- as.matrix(read.csv(args[1])[, -1])
x <- x[rowSums(!is.na(x)) > 0, , drop = FALSE]
categ <- sort(unique(na.omit(as.vector(x))))
q <- length(categ)
weights_of <- function(kind) {
  d <- abs(outer(categ, categ, "-")) / (max(categ) - min(categ))
  if (kind == "linear") 1 - d else 1 - d^2
}
ac2 <- function(w) {
  n <- nrow(x)
  agree <- sapply(categ, function(k) rowSums(x == k, na.rm = TRUE))
  agree_w <- t(w %*% t(agree))
  ri <- rowSums(agree)
  sum_q <- rowSums(agree * (agree_w - 1))
  two <- ri >= 2
  pa <- sum(sum_q[two] / (ri * (ri - 1))[two]) / sum(two)
  pi_k <- colSums(agree / ri) / n
  pe <- sum(w) * sum(pi_k * (1 - pi_k)) / (q * (q - 1))
  ac <- (pa - pe) / (1 - pe)
  # linearised variance (irrCAC): per-unit terms, then sum (c_i - c)^2 / (n (n - 1))
  den <- ri * (ri - 1)
  pa_i <- sum_q / (den - (den == 0))
  pe_i <- sum(w) / (q * (q - 1)) * rowSums(agree * matrix(1 - pi_k, n, q, byrow = TRUE)) / ri
  ac_i <- (n / sum(two)) * (pa_i - pe) / (1 - pe)
  ac_star <- ac_i - 2 * (1 - ac) * (pe_i - pe) / (1 - pe)
  se <- sqrt(sum((ac_star - ac)^2) / (n * (n - 1)))
  c(coefficient = ac, se = se, pa = pa, pe = pe)
}
for (kind in c("linear", "quadratic")) cat(kind, sprintf("%.10f", ac2(weights_of(kind))), "\n")
