# Reference values for `mmprep agreement --traces` on fixtures/agreement/traces/panel.csv, written to
# fixtures/agreement/traces/panel.reference.json (test/agreement-traces.test.ts compares them at 1e-9).
# Run: Rscript scripts/trace-references.R fixtures/agreement/traces/panel.csv fixtures/agreement/traces/panel.reference.json
# (Debian R 4.2.2, r-cran-psych 2.2.9, r-cran-jsonlite). Written from the definitions, not from mmprep's code:
#   grid: times k * step (step 0.05 s, the finest median step), k from ceiling(first/step) to floor(last/step) over the
#         target's raters; each trace by approx(rule = 1) (linear, NA outside its span), NA where its two samples lie
#         more than 1 s apart;
#   r: cor(use = "complete.obs") of each pair, averaged; CCC: Lin (1989) with 1/n moments; alpha: psych::alpha's
#      raw_alpha on the grid samples where every rater has a value (pooled: the targets' grids joined end to end);
#   lag: argmax over L in [-5 s, 5 s] of cor(x[i], m[i - L]) pooled over targets, m the mean of the other raters each
#        shifted by its current lag, iterated and centred on the lower median of the determined lags; determined when
#        r >= 0.3, not at the edge, not more negative than positive (by 0.1), no second local peak over 1 s away at
#        0.9 of it or more, and half the per-target peaks within 0.5 s. A trace that never moves
#        (flat) is left out of the lags. ccf(x, m) is run on target s01 as a check of the sign (its peak at +L).
#   EWE: weights max(0, cor(x_k, mean of the others)) per target (Grimm & Kroschel 2005); gold = weighted mean.
suppressMessages({ library(psych); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
step <- 0.05; max_gap <- 1; max_steps <- round(5 / step)
targets <- unique(d$target); raters <- unique(d$rater)

resample <- function(t, v, k0, n) {
  g <- (k0 + 0:(n - 1)) * step
  y <- approx(t, v, xout = g, rule = 1)$y
  j <- findInterval(g, t)
  exact <- j >= 1 & abs(g - t[pmax(j, 1)]) <= step * 1e-6
  gap <- j >= 1 & j < length(t) & (t[pmin(j + 1, length(t))] - t[pmax(j, 1)]) > max_gap & !exact
  y[gap] <- NA
  y
}

grid_of <- function(dim) {
  lapply(targets, function(tg) {
    sub <- d[d$target == tg, ]
    k0 <- ceiling(min(sub$time_s) / step - 1e-9); k1 <- floor(max(sub$time_s) / step + 1e-9)
    n <- k1 - k0 + 1
    series <- lapply(raters, function(r) {
      s <- sub[sub$rater == r, ]
      if (nrow(s) == 0) return(NULL)
      s <- s[order(s$time_s), ]
      list(y = resample(s$time_s, s[[dim]], k0, n), flat = length(unique(s[[dim]])) == 1)
    })
    list(k0 = k0, n = n, series = series)
  })
}

shift <- function(x, s) { n <- length(x); i <- 1:n + s; out <- rep(NA_real_, n); ok <- i >= 1 & i <= n; out[ok] <- x[i[ok]]; out }
others_mean <- function(series, r, shifts) {
  ys <- list(); for (q in seq_along(series)) if (q != r && !is.null(series[[q]])) ys[[length(ys) + 1]] <- shift(series[[q]], shifts[q])
  if (!length(ys)) return(NULL)
  m <- rowMeans(do.call(cbind, ys), na.rm = TRUE); m[is.nan(m)] <- NA; m
}
pairs_at <- function(x, m, L) { n <- length(x); i <- max(1, 1 + L):min(n, n + L); cbind(x[i], m[i - L]) }
safe_cor <- function(p) { p <- p[complete.cases(p), , drop = FALSE]; if (nrow(p) < 3 || sd(p[, 1]) == 0 || sd(p[, 2]) == 0) NA else cor(p[, 1], p[, 2]) }

lag_of <- function(moving, r, shifts) {
  means <- lapply(moving, function(s) others_mean(s, r, shifts))
  Ls <- -max_steps:max_steps
  pooled <- numeric(0); per <- matrix(NA, length(moving), length(Ls))
  for (a in seq_along(Ls)) {
    all <- NULL
    for (t in seq_along(moving)) {
      x <- moving[[t]][[r]]; m <- means[[t]]
      if (is.null(x) || is.null(m)) next
      p <- pairs_at(x, m, Ls[a]); per[t, a] <- safe_cor(p); all <- rbind(all, p)
    }
    pooled[a] <- if (is.null(all)) NA else safe_cor(all)
  }
  if (all(is.na(pooled))) return(list(steps = 0, det = FALSE, peak = NA))
  k <- which.max(pooled); L <- Ls[k]; pk <- pooled[k]; low <- min(pooled, na.rm = TRUE)
  no <- list(steps = 0, det = FALSE, peak = pk)
  if (low <= -0.3 && -low > pk + 0.1) return(no)
  # a second local maximum over 1 s away reaching 0.9 of the peak: ambiguous (a periodic trace)
  nb <- function(i) if (i < 1 || i > length(pooled) || is.na(pooled[i])) -Inf else pooled[i]
  rivals <- which(sapply(seq_along(pooled), function(i) !is.na(pooled[i]) && abs(i - k) > round(1 / step) && nb(i - 1) <= pooled[i] && nb(i + 1) <= pooled[i]))
  if (length(rivals) && pk >= 0.3 && max(pooled[rivals]) >= 0.9 * pk) return(no)
  if (pk < 0.3 || abs(L) == max_steps) return(no)
  peaks <- apply(per, 1, function(v) if (all(is.na(v))) NA else Ls[which.max(v)]); peaks <- peaks[!is.na(peaks)]
  if (length(peaks) >= 2 && 2 * sum(abs(peaks - L) * step <= max(0.5, step)) < length(peaks)) return(no)
  list(steps = L, det = TRUE, peak = pk)
}

lags_of <- function(moving) {
  shifts <- rep(0, length(raters))
  for (round in 1:10) {
    ls <- lapply(seq_along(raters), function(r) lag_of(moving, r, shifts))
    det <- sapply(ls, `[[`, "det"); st <- sapply(ls, `[[`, "steps")
    centre <- if (any(det)) sort(st[det])[floor((sum(det) - 1) / 2) + 1] else 0
    nxt <- ifelse(det, st - centre, 0)
    for (r in seq_along(ls)) ls[[r]]$steps <- nxt[r]
    if (all(nxt == shifts)) break
    shifts <- nxt
  }
  ls
}

ccc <- function(x, y) { ok <- complete.cases(x, y); x <- x[ok]; y <- y[ok]; mx <- mean(x); my <- mean(y)
  2 * mean((x - mx) * (y - my)) / (mean((x - mx)^2) + mean((y - my)^2) + (mx - my)^2) }
figures <- function(cols) {
  k <- length(cols); rs <- c(); cs <- c()
  for (a in 1:(k - 1)) for (b in (a + 1):k) { rs <- c(rs, safe_cor(cbind(cols[[a]], cols[[b]]))); cs <- c(cs, ccc(cols[[a]], cols[[b]])) }
  m <- do.call(cbind, cols); m <- m[complete.cases(m), ]
  a <- suppressWarnings(suppressMessages(psych::alpha(as.data.frame(m), warnings = FALSE)))$total$raw_alpha
  list(mean_r = mean(rs, na.rm = TRUE), mean_ccc = mean(cs), alpha = a, n_complete_samples = nrow(m))
}

r_with_others <- function(series_by_target, r) {
  all <- NULL
  for (s in series_by_target) { x <- s[[r]]; m <- others_mean(s, r, rep(0, length(raters))); if (!is.null(x) && !is.null(m)) all <- rbind(all, cbind(x, m)) }
  safe_cor(all)
}

out <- list(step_s = step, dimensions = list())
for (dim in c("arousal", "valence")) {
  g <- grid_of(dim)
  raw <- lapply(g, function(tg) lapply(tg$series, function(s) if (is.null(s)) NULL else s$y))
  moving <- lapply(g, function(tg) lapply(tg$series, function(s) if (is.null(s) || s$flat) NULL else s$y))
  ls <- lags_of(moving)
  st <- sapply(ls, `[[`, "steps")
  for (align in c(FALSE, TRUE)) {
    used <- if (align) lapply(raw, function(row) lapply(seq_along(row), function(r) if (is.null(row[[r]])) NULL else shift(row[[r]], st[r]))) else raw
    aligned_moving <- lapply(moving, function(row) lapply(seq_along(row), function(r) if (is.null(row[[r]])) NULL else shift(row[[r]], st[r])))
    per_target <- lapply(seq_along(targets), function(t) c(list(target = targets[t]), figures(used[[t]])))
    joined <- lapply(seq_along(raters), function(r) unlist(lapply(used, function(row) if (is.null(row[[r]])) rep(NA, length(row[[which(!sapply(row, is.null))[1]]])) else row[[r]])))
    rater_rows <- lapply(seq_along(raters), function(r) list(rater = raters[r], lag_s = if (ls[[r]]$det) round(st[r] * step, 6) else NA,
      r_with_others = r_with_others(moving, r), r_with_others_after_lag = if (ls[[r]]$det) r_with_others(aligned_moving, r) else NA))
    gold <- list()
    for (t in seq_along(targets)) {
      row <- used[[t]]; n <- g[[t]]$n
      w <- sapply(seq_along(row), function(r) { x <- row[[r]]; m <- others_mean(row, r, rep(0, length(raters))); if (is.null(x)) 0 else { c <- safe_cor(cbind(x, m)); if (is.na(c)) 0 else max(0, c) } })
      M <- sapply(row, function(x) if (is.null(x)) rep(NA, n) else x)
      for (i in seq(1, n, by = 40)) {
        v <- M[i, ]; ok <- !is.na(v); if (!any(ok)) next
        gold[[length(gold) + 1]] <- list(target = targets[t], time_s = round((g[[t]]$k0 + i - 1) * step, 6), mean = mean(v[ok]),
          ewe = sum(w[ok] * v[ok]) / sum(w[ok]), sd = if (sum(ok) > 1) sd(v[ok]) else NA, n_raters = sum(ok))
      }
    }
    key <- paste0(dim, if (align) "_aligned" else "")
    out$dimensions[[key]] <- list(pooled = figures(joined), targets = per_target, raters = rater_rows, gold = gold)
  }
  # the sign of ccf(): on s01, each determined rater against the others' mean aligned by their lags
  s01 <- moving[[1]]
  out$dimensions[[dim]]$ccf_peak_s01 <- lapply(seq_along(raters), function(r) {
    x <- s01[[r]]; if (is.null(x)) return(NA)
    sh <- st; sh[r] <- 0; m <- others_mean(s01, r, sh)
    cc <- ccf(x, m, lag.max = max_steps, plot = FALSE, na.action = na.pass)
    round(cc$lag[which.max(cc$acf)] * step, 6)
  })
}
out$versions <- list(R = R.version.string, psych = as.character(packageVersion("psych")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), args[2])
