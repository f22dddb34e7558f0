# Golden-file generator: evaluation statistics for tests/cpp/test_stats_*.cpp and
# tests/js/stats.test.js.
#
# Run from the repository root:   Rscript tests/r/stats_golden.R
# Writes tests/golden/stats_golden.json (R and package versions are recorded in the file and in
# tests/r/README.md).
#
# Every case is SELF-CONTAINED: it carries the exact input R used (times, events, groups, scores,
# predicted survival, ...), so the tests never re-derive data from the CSV files. Non-integer inputs
# are rounded to 15 significant digits BEFORE R computes anything, because jsonlite's digits = NA
# writes 15 significant digits: the numbers in the file are then exactly the numbers R used.
#
# References:
#  * Kaplan–Meier, medians, summary at times: survival::survfit / quantile / summary(extend = TRUE)
#    (weighted cases with robust = FALSE: the weighted Greenwood variance).
#  * Log-rank: survival::survdiff.
#  * Uno's C, cumulative/dynamic AUC, Brier and integrated Brier: scikit-survival 0.22's definitions
#    (sksurv/metrics.py, sksurv/nonparametric.py) transcribed below line by line; the transcription
#    is checked against scikit-survival 0.22's own output on lung before anything is written.
#  * Calibration: quantile(type = 7) + cut() groups, survfit per group, coxph(Surv ~ lp).
#  * Kendall / Spearman: cor.test(..., exact = FALSE).  BH etc.: p.adjust.
#  * Bootstrap intervals: boot::boot + boot::boot.ci (perc; bca with L = empinf(type = "jack")),
#    boot:::norm.inter, boot::empinf(type = "jack").
#  * Logistic: glm(binomial) (epsilon 1e-14), ridge by the penalised IRLS formula checked against
#    glmnet(alpha = 0, lambda = lambda / n, standardize = FALSE); DeLong's variance by its formula.
suppressPackageStartupMessages({
  library(survival)
  library(boot)
  library(glmnet)
})

out_file <- "tests/golden/stats_golden.json"
if (!file.exists("tests/data/lung.csv")) stop("run from the repository root: Rscript tests/r/stats_golden.R")
source("tests/r/golden_json.R")

num_or_null <- function(x) if (is.na(x)) NULL else x
arr_na <- function(x) I(ifelse(is.finite(x), x, NA))  # NA / Inf -> null

lung <- read.csv("tests/data/lung.csv")
veteran <- read.csv("tests/data/veteran.csv")
lung$event <- as.integer(lung$status == 2)

# ================================ Kaplan–Meier =================================================
km_case <- function(name, time, event, group = NULL, weights = NULL, conf_type = "log", conf_level = 0.95,
                    times = numeric(0)) {
  d <- data.frame(time = time, event = event)
  d$g <- if (is.null(group)) 1L else group
  d$w <- if (is.null(weights)) 1 else weights
  groups <- sort(unique(d$g))
  res <- lapply(groups, function(gv) {
    dd <- d[d$g == gv, ]
    fit <- if (is.null(weights)) survfit(Surv(time, event) ~ 1, data = dd, conf.type = conf_type, conf.int = conf_level)
           else survfit(Surv(time, event) ~ 1, data = dd, weights = w, robust = FALSE, conf.type = conf_type,
                        conf.int = conf_level)
    q <- quantile(fit, 0.5)
    entry <- list(
      group = gv, n = sum(dd$w), records = nrow(dd), events = sum(dd$w * dd$event),
      curve = list(time = A(fit$time), n_risk = A(fit$n.risk), n_event = A(fit$n.event), n_censor = A(fit$n.censor),
                   surv = A(fit$surv), std_err = arr_na(fit$std.err), lower = arr_na(fit$lower), upper = arr_na(fit$upper)),
      median = num_or_null(unname(q$quantile)), median_lower = num_or_null(unname(q$lower)),
      median_upper = num_or_null(unname(q$upper)))
    if (length(times)) {
      s <- summary(fit, times = times, extend = TRUE)
      entry$at <- list(time = A(s$time), surv = A(s$surv), std_err = arr_na(s$std.err), lower = arr_na(s$lower),
                       upper = arr_na(s$upper), n_risk = A(s$n.risk))
    }
    entry
  })
  list(name = name, data = list(time = A(time), event = A(event), group = if (is.null(group)) NULL else A(group),
                                weights = if (is.null(weights)) NULL else A(weights)),
       conf_type = conf_type, conf_level = conf_level, times = A(times), groups = res)
}

lt <- lung[!is.na(lung$time) & !is.na(lung$status), ]  # all 228 rows
l2 <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]  # the 227 rows of the reference notes
stopifnot(nrow(l2) == 227)
vt <- veteran
km_cases <- list(
  km_case("lung_sex_log", l2$time, l2$event, l2$sex, times = c(0, 90, 180, 365, 730, 1000, 1100)),
  km_case("lung_sex_loglog", l2$time, l2$event, l2$sex, conf_type = "log-log", times = c(0, 90, 180, 365, 730)),
  km_case("lung_all_plain", lt$time, lt$event, conf_type = "plain", conf_level = 0.9, times = c(100, 500, 1022)),
  km_case("veteran_trt_log", vt$time, vt$status, vt$trt, times = c(30, 100, 250)),
  km_case("veteran_trt_loglog", vt$time, vt$status, vt$trt, conf_type = "log-log", times = c(30, 100)),
  km_case("lung_sex_weighted", lt$time, lt$event, lt$sex, weights = 1 + (seq_len(nrow(lt)) %% 3) / 2,
          times = c(180, 365)),
  km_case("ends_flat_at_half", c(1, 2, 3, 4), c(1, 1, 0, 0), times = c(2, 5)),
  km_case("ends_at_zero", c(1, 2, 2, 3, 4, 5, 5, 6, 8, 9), c(1, 1, 0, 1, 0, 1, 1, 0, 1, 1), times = c(0, 2.5, 9, 10)),
  km_case("median_on_flat_half", c(1, 2, 3, 4, 5, 6), c(1, 1, 1, 0, 1, 1), times = c(3.5)),
  km_case("all_censored", c(3, 5, 7), c(0, 0, 0), times = c(4)),
  # 0.3 and 0.300000000001 differ by 3e-12 relative: R's timefix (aeqSurv) merges them
  km_case("timefix_merge", c(0.300000000001, 0.3, 0.5, 0.7, 0.7, 1), c(1, 1, 0, 1, 0, 1), times = c(0.3, 0.6))
)

# ================================ Log-rank ======================================================
lr_case <- function(name, time, event, group, strata = NULL, rho = 0) {
  d <- data.frame(time = time, event = event, g = group)
  fit <- if (is.null(strata)) survdiff(Surv(time, event) ~ g, data = d, rho = rho)
         else { d$s <- strata; survdiff(Surv(time, event) ~ g + strata(s), data = d, rho = rho) }
  obs <- if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs
  ex <- if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp
  df <- sum(ex > 0) - 1
  list(name = name, data = list(time = A(time), event = A(event), group = A(group),
                                strata = if (is.null(strata)) NULL else A(strata)),
       rho = rho, groups = A(sort(unique(group))), observed = A(obs), expected = A(ex), variance = fit$var,
       chisq = fit$chisq, df = df, p = pchisq(fit$chisq, df, lower.tail = FALSE))
}
le <- lt[!is.na(lt$ph.ecog), ]
le3 <- le[le$ph.ecog <= 2, ]
lr_cases <- list(
  lr_case("lung_sex", l2$time, l2$event, l2$sex),
  lr_case("lung228_sex", lt$time, lt$event, lt$sex),
  lr_case("veteran_trt", vt$time, vt$status, vt$trt),
  lr_case("lung_ecog_3groups", le3$time, le3$event, le3$ph.ecog),
  lr_case("lung_ecog_4groups", le$time, le$event, le$ph.ecog),
  lr_case("veteran_trt_by_celltype", vt$time, vt$status, vt$trt, strata = as.integer(factor(vt$celltype))),
  lr_case("lung_sex_rho1", l2$time, l2$event, l2$sex, rho = 1),
  lr_case("veteran_celltype_rho05_strata_trt", vt$time, vt$status, as.integer(factor(vt$celltype)), strata = vt$trt,
          rho = 0.5)
)

# ================================ scikit-survival metrics (transcribed) =========================
# CensoringDistributionEstimator: reverse KM, events leave first, G right-continuous at t.
sk_cens <- function(time, event) {
  ut <- sort(unique(time))
  nrisk <- vapply(ut, function(t) sum(time >= t), 0)
  nev <- vapply(ut, function(t) sum(time == t & event == 1), 0)
  ncen <- vapply(ut, function(t) sum(time == t & event == 0), 0)
  at <- nrisk - nev
  ratio <- ifelse(ncen != 0, ncen / at, 0)
  list(time = ut, prob = cumprod(1 - ratio))
}
sk_km <- function(time, event) {
  ut <- sort(unique(time))
  nrisk <- vapply(ut, function(t) sum(time >= t), 0)
  nev <- vapply(ut, function(t) sum(time == t & event == 1), 0)
  list(time = ut, prob = cumprod(1 - ifelse(nev != 0, nev / nrisk, 0)))
}
# StepFunction.predict_proba: error beyond the last time while the curve is > 0.
sk_step <- function(fn, t) {
  last <- max(fn$time)
  if (any(t > last) && fn$prob[length(fn$prob)] > 0) stop("time must be smaller than largest observed time point")
  vapply(t, function(x) {
    if (x > last) return(0)
    k <- sum(fn$time <= x)
    if (k == 0) 1 else fn$prob[k]
  }, 0)
}
sk_uno <- function(train_t, train_e, test_t, test_e, risk, tau = NULL, tol = 1e-8) {
  G <- sk_cens(train_t, train_e)
  mask <- if (is.null(tau)) rep(TRUE, length(test_t)) else test_t < tau
  w <- numeric(length(test_t))
  ev <- mask & test_e == 1
  g <- sk_step(G, test_t[ev])
  if (any(g == 0)) stop("censoring survival function is zero")
  w[ev] <- 1 / g^2
  num <- 0; den <- 0
  for (i in which(test_e == 1)) {
    comp <- test_t > test_t[i] | (test_t == test_t[i] & test_e == 0)
    est <- risk[comp]
    ties <- abs(est - risk[i]) <= tol
    con <- est < risk[i] & !ties
    num <- num + w[i] * sum(con) + 0.5 * w[i] * sum(ties)
    den <- den + w[i] * sum(comp)
  }
  num / den
}
sk_auc <- function(train_t, train_e, test_t, test_e, risk, times, tol = 1e-8) {
  times <- sort(unique(times))
  if (max(times) >= max(test_t) || min(times) < min(test_t)) stop("times outside follow-up")
  n <- length(test_t)
  G <- sk_cens(train_t, train_e)
  ipcw <- numeric(n)
  ev <- test_e == 1
  g <- sk_step(G, test_t[ev])
  if (any(g == 0)) stop("censoring survival function is zero")
  ipcw[ev] <- 1 / g
  o <- order(-risk)
  r <- risk[o]; tt <- test_t[o]; ee <- test_e[o]; ww <- ipcw[o]
  tied <- c(FALSE, abs(diff(r)) <= tol)
  keep <- !c(tied[-1], FALSE)  # keep only the last of each tied run
  scores <- vapply(times, function(t) {
    case <- tt <= t & ee == 1
    ctrl <- tt > t
    tp <- cumsum(case * ww); tp <- tp / tp[n]
    fp <- cumsum(ctrl) / sum(ctrl)
    tp <- c(0, tp[keep]); fp <- c(0, fp[keep])
    sum(diff(fp) * (tp[-1] + tp[-length(tp)]) / 2)
  }, 0)
  mean_auc <- if (length(times) == 1) scores else {
    s <- sk_step(sk_km(test_t, test_e), times)
    sum(scores * -diff(c(1, s))) / (1 - s[length(s)])
  }
  list(times = times, auc = scores, mean_auc = mean_auc)
}
sk_brier <- function(train_t, train_e, test_t, test_e, S, times) {
  G <- sk_cens(train_t, train_e)
  gt <- sk_step(G, times); gt[gt == 0] <- Inf
  gy <- sk_step(G, test_t); gy[gy == 0] <- Inf
  vapply(seq_along(times), function(k) {
    t <- times[k]; est <- S[, k]
    mean(est^2 * as.integer(test_t <= t & test_e == 1) / gy + (1 - est)^2 * as.integer(test_t > t) / gt[k])
  }, 0)
}
trapz <- function(x, y) sum(diff(x) * (y[-1] + y[-length(y)]) / 2)

cox <- coxph(Surv(time, event) ~ age + sex + ph.ecog, data = l2)
lp <- s15(unname(predict(cox, type = "lp")))
ibs_times <- seq(60, 720, 30)
surv_at <- function(fit, newdata, times) {
  sf <- survfit(fit, newdata = newdata)
  s15(t(summary(sf, times = times, extend = TRUE)$surv))  # n x k
}
S_cox <- surv_at(cox, l2, ibs_times)
km0 <- survfit(Surv(time, event) ~ 1, data = l2)
S_km <- matrix(s15(summary(km0, times = ibs_times)$surv), nrow = nrow(l2), ncol = length(ibs_times), byrow = TRUE)
k180 <- match(c(180, 360), ibs_times)

# Check the transcription against scikit-survival 0.22's own output on lung.
chk <- function(a, b, tol = 1e-9) if (any(abs(a - b) > tol)) stop(sprintf("transcription check failed: %s vs %s",
  paste(format(a, digits = 12), collapse = " "), paste(format(b, digits = 12), collapse = " ")))
chk(sk_uno(l2$time, l2$event, l2$time, l2$event, lp, 365), 0.6333164759)
chk(sk_uno(l2$time, l2$event, l2$time, l2$event, lp, 730), 0.6275960919)
a <- sk_auc(l2$time, l2$event, l2$time, l2$event, lp, c(180, 365, 540))
chk(a$auc, c(0.6980798709, 0.6475252393, 0.6664829203)); chk(a$mean_auc, 0.6701751335)
chk(sk_brier(l2$time, l2$event, l2$time, l2$event, S_cox[, k180], c(180, 360)), c(0.1787234875, 0.2303999326))
chk(sk_brier(l2$time, l2$event, l2$time, l2$event, S_km[, k180], c(180, 360)), c(0.1994952157, 0.2459825213))
chk(trapz(ibs_times, sk_brier(l2$time, l2$event, l2$time, l2$event, S_cox, ibs_times)) / (720 - 60), 0.1772063775)
chk(trapz(ibs_times, sk_brier(l2$time, l2$event, l2$time, l2$event, S_km, ibs_times)) / (720 - 60), 0.1909662974)

metric_case <- function(name, tr, te, risk, S, brier_times, taus, auc_times) {
  uno <- lapply(taus, function(tau) list(tau = tau, c = sk_uno(tr$time, tr$event, te$time, te$event, risk,
                                                              if (is.na(tau)) NULL else tau)))
  a <- sk_auc(tr$time, tr$event, te$time, te$event, risk, auc_times)
  bs <- sk_brier(tr$time, tr$event, te$time, te$event, S, brier_times)
  list(name = name, train = list(time = A(tr$time), event = A(tr$event)),
       test = list(time = A(te$time), event = A(te$event)), risk = A(risk),
       uno = lapply(uno, function(u) list(tau = if (is.na(u$tau)) NULL else u$tau, c = u$c)),
       auc_times = A(a$times), auc = A(a$auc), mean_auc = a$mean_auc,
       brier_times = A(brier_times), survival = S, brier = A(bs),
       ibs = trapz(brier_times, bs) / (brier_times[length(brier_times)] - brier_times[1]))
}
tr_l <- data.frame(time = l2$time, event = l2$event)
odd <- seq(1, nrow(l2), 2)
te_odd <- tr_l[odd, ]
S_cox_odd <- S_cox[odd, ]
# veteran: Cox on karno, age, trt; test on the same data
vcox <- coxph(Surv(time, status) ~ karno + age + trt, data = vt)
vlp <- s15(unname(predict(vcox, type = "lp")))
v_times <- c(30, 60, 90, 120, 180, 270, 365)
S_v <- surv_at(vcox, vt, v_times)
tr_v <- data.frame(time = vt$time, event = vt$status)
# tied scores: ph.ecog alone as the risk score (lots of ties)
metric_cases <- list(
  metric_case("lung_cox", tr_l, tr_l, lp, S_cox, ibs_times, c(365, 730, NA), c(180, 365, 540)),
  metric_case("lung_km_null", tr_l, tr_l, lp, S_km, ibs_times, c(365), c(180)),
  metric_case("lung_cox_test_odd_rows", tr_l, te_odd, lp[odd], S_cox_odd, ibs_times, c(365, NA), c(90, 180, 365, 540, 700)),
  metric_case("veteran_cox", tr_v, tr_v, vlp, S_v, v_times, c(100, 200, NA), c(30, 90, 180)),
  metric_case("lung_ecog_ties", tr_l, tr_l, as.numeric(l2$ph.ecog), S_cox, ibs_times, c(365, NA), c(180, 365))
)

# ================================ Calibration ===================================================
calib_case <- function(name, d, S, lp, horizon, groups = 10, conf_type = "log") {
  risk <- 1 - S
  br <- unique(quantile(risk, probs = seq(0, 1, length.out = groups + 1), type = 7, names = FALSE))
  g <- as.integer(cut(risk, br, include.lowest = TRUE))
  res <- lapply(sort(unique(g)), function(k) {
    dd <- d[g == k, ]
    f <- survfit(Surv(time, event) ~ 1, data = dd, conf.type = conf_type)
    s <- summary(f, times = horizon, extend = TRUE)
    list(n = nrow(dd), events = sum(dd$event), predicted = mean(S[g == k]), observed = s$surv,
         lower = if (is.na(s$lower)) NULL else s$lower, upper = if (is.na(s$upper)) NULL else s$upper, n_risk = s$n.risk,
         risk_low = br[k], risk_high = br[k + 1])
  })
  slope <- coxph(Surv(d$time, d$event) ~ lp)
  cll <- log(-log(S))
  slope2 <- coxph(Surv(d$time, d$event) ~ cll)
  list(name = name, data = list(time = A(d$time), event = A(d$event)), predicted = A(S), lp = A(lp), horizon = horizon,
       n_groups = groups, conf_type = conf_type, breaks = A(br), group = A(g), groups = res,
       slope = unname(coef(slope)), slope_se = unname(sqrt(diag(vcov(slope)))),
       slope_cloglog = unname(coef(slope2)), slope_cloglog_se = unname(sqrt(diag(vcov(slope2)))))
}
S365 <- surv_at(cox, l2, 365)[, 1]
dl <- data.frame(time = l2$time, event = l2$event)
# a deliberately miscalibrated model: lp shrunk by half
lp_half <- s15(lp / 2)
S365_half <- s15(exp(-exp(lp_half) * 0.5))
calib_cases <- list(
  calib_case("lung_cox_365", dl, S365, lp, 365),
  calib_case("lung_cox_365_5groups_loglog", dl, S365, lp, 365, groups = 5, conf_type = "log-log"),
  calib_case("lung_shrunk_500", dl, S365_half, lp_half, 500, groups = 4)
)

# ================================ Rank correlation ==============================================
corr_case <- function(name, x, y) {
  ok <- complete.cases(x, y)
  k <- suppressWarnings(cor.test(x[ok], y[ok], method = "kendall", exact = FALSE))
  s <- suppressWarnings(cor.test(x[ok], y[ok], method = "spearman", exact = FALSE))
  list(name = name, x = A(x[ok]), y = A(y[ok]), n = sum(ok), kendall = unname(k$estimate), kendall_z = unname(k$statistic),
       kendall_p = k$p.value, spearman = unname(s$estimate), spearman_p = s$p.value)
}
set_x <- s15(l2$age + l2$time / 1e4)  # no ties
corr_cases <- list(
  corr_case("lung_age_ecog", l2$age, l2$ph.ecog),
  corr_case("lung_time_age", l2$time, l2$age),
  corr_case("lung_age_wtloss_pairwise", lung$age, lung$wt.loss),
  corr_case("lung_karno_ecog_negative", lung$ph.karno, lung$ph.ecog),
  corr_case("lung_no_ties", set_x, lp),
  corr_case("small_n3", c(1, 2, 3), c(1, 3, 2))
)
mcols <- c("age", "ph.ecog", "ph.karno", "pat.karno", "wt.loss", "meal.cal")
M <- as.matrix(lung[, mcols])
pair_matrix <- function(method) {
  p <- length(mcols)
  est <- matrix(NA, p, p); pv <- matrix(NA, p, p); nn <- matrix(0, p, p)
  for (a in 1:p) for (b in 1:p) {
    ok <- complete.cases(M[, a], M[, b])
    nn[a, b] <- sum(ok)
    if (a == b) { est[a, b] <- 1; next }
    t <- suppressWarnings(cor.test(M[ok, a], M[ok, b], method = method, exact = FALSE))
    est[a, b] <- unname(t$estimate); pv[a, b] <- t$p.value
  }
  list(estimate = est, p = pv, n = nn)
}
corr_matrix <- list(columns = mcols, data = lapply(mcols, function(cn) arr_na(M[, cn])),
                    kendall = pair_matrix("kendall"), spearman = pair_matrix("spearman"))

# ================================ p.adjust ======================================================
p_example <- c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216)
p_messy <- c(0.5, NA, 0.01, 0.01, 0.2, 1, 0, 0.03, NA, 0.049, 0.7, 0.0001)
padj <- lapply(list(example = p_example, messy = p_messy), function(p) {
  list(p = arr_na(p), BH = arr_na(p.adjust(p, "BH")), BY = arr_na(p.adjust(p, "BY")), holm = arr_na(p.adjust(p, "holm")),
       hochberg = arr_na(p.adjust(p, "hochberg")), bonferroni = arr_na(p.adjust(p, "bonferroni")))
})

# ================================ Bootstrap intervals ===========================================
bd <- data.frame(time = l2$time, event = l2$event, lp = lp)
cstat <- function(d, i) concordance(Surv(time, event) ~ lp, data = d[i, ], reverse = TRUE)$concordance
set.seed(1)
bt <- boot(bd, cstat, R = 999)
Ljack <- empinf(bt, type = "jack")
ci95 <- boot.ci(bt, conf = 0.95, type = c("perc", "bca"), L = Ljack)
ci90 <- boot.ci(bt, conf = 0.90, type = c("perc", "bca"), L = Ljack)
ci_reg <- boot.ci(bt, conf = 0.95, type = "bca")
alphas <- c(0.0005, 0.001, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.999)
ni <- suppressWarnings(boot:::norm.inter(bt$t[, 1], alphas))[, 2]
bootstrap <- list(
  statistic = "Harrell C of the lung Cox lp (R concordance, reverse = TRUE)", data = list(time = A(bd$time),
  event = A(bd$event), score = A(bd$lp)), seed = 1, R = 999, t0 = bt$t0, t = A(bt$t[, 1]), jackknife_L = A(Ljack),
  perc95 = A(ci95$percent[4:5]), bca95 = A(ci95$bca[4:5]), perc90 = A(ci90$percent[4:5]), bca90 = A(ci90$bca[4:5]),
  bca95_default_reg = A(ci_reg$bca[4:5]), norm_inter_alpha = A(alphas), norm_inter = A(ni))

# ================================ Logistic ======================================================
lg <- l2[l2$time > 365 | (l2$event == 1 & l2$time <= 365), ]
lg$y <- as.integer(lg$event == 1 & lg$time <= 365)
stopifnot(nrow(lg) == 185)
X <- cbind(1, as.matrix(lg[, c("age", "sex", "ph.ecog")]))
ridge_irls <- function(X, y, w, lambda, iters = 200) {
  b <- rep(0, ncol(X)); P <- diag(c(0, rep(lambda, ncol(X) - 1)))
  for (it in 1:iters) {
    eta <- drop(X %*% b); mu <- 1 / (1 + exp(-eta)); W <- w * mu * (1 - mu)
    z <- eta + (y - mu) / (mu * (1 - mu))
    bn <- solve(crossprod(X, W * X) + P, crossprod(X, W * z))[, 1]
    if (max(abs(bn - b)) < 1e-15) { b <- bn; break }
    b <- bn
  }
  eta <- drop(X %*% b); mu <- 1 / (1 + exp(-eta)); W <- w * mu * (1 - mu)
  V <- solve(crossprod(X, W * X) + P)
  list(coef = b, se = sqrt(diag(V)), mu = mu, eta = eta,
       loglik = sum(w * (y * log(mu) + (1 - y) * log(1 - mu))))
}
delong <- function(y, s) {
  cases <- s[y == 1]; ctrls <- s[y == 0]
  psi <- outer(cases, ctrls, function(a, b) (a > b) + 0.5 * (a == b))
  v10 <- rowMeans(psi); v01 <- colMeans(psi)
  auc <- mean(psi)
  se <- sqrt(var(v10) / length(cases) + var(v01) / length(ctrls))
  z <- qnorm(0.975)
  list(auc = auc, se = se, lower = max(0, auc - z * se), upper = min(1, auc + z * se))
}
logit_case <- function(name, d, covs, w = NULL, lambda = 0) {
  y <- d$y
  Xc <- cbind(1, as.matrix(d[, covs]))
  ww <- if (is.null(w)) rep(1, nrow(d)) else w
  if (lambda == 0) {
    fit <- suppressWarnings(glm(y ~ ., data = d[, c("y", covs)], family = binomial, weights = ww,
                                control = glm.control(epsilon = 1e-14, maxit = 100)))
    co <- summary(fit)$coefficients
    coef <- unname(co[, 1]); se <- unname(co[, 2]); mu <- unname(fitted(fit)); eta <- unname(fit$linear.predictors)
    ci <- unname(confint.default(fit))
    loglik <- sum(ww * (y * log(mu) + (1 - y) * log(1 - mu)))
    if (is.null(w)) stopifnot(abs(loglik - as.numeric(logLik(fit))) < 1e-9)
  } else {
    r <- ridge_irls(Xc, y, ww, lambda)
    gn <- glmnet(Xc[, -1], y, family = "binomial", alpha = 0, lambda = lambda / sum(ww), weights = ww,
                 standardize = FALSE, thresh = 1e-16, maxit = 1e7)
    gcoef <- as.numeric(coef(gn))
    if (is.null(w) && max(abs(gcoef - r$coef)) > 1e-6) stop("ridge IRLS disagrees with glmnet")
    coef <- r$coef; se <- r$se; mu <- r$mu; eta <- r$eta; loglik <- r$loglik
    ci <- cbind(coef - qnorm(0.975) * se, coef + qnorm(0.975) * se)
  }
  z <- coef / se
  auc <- delong(y, eta)
  cal_slope <- glm(y ~ eta, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  cal_int <- glm(y ~ 1, offset = eta, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  list(name = name, y = A(y), covariates = covs, x = lapply(covs, function(cn) A(d[[cn]])),
       weights = if (is.null(w)) NULL else A(w), ridge = lambda,
       coef = A(coef), se = A(se), z = A(z), p = A(2 * pnorm(-abs(z))), or = A(exp(coef)),
       or_lower = A(exp(ci[, 1])), or_upper = A(exp(ci[, 2])), loglik = loglik,
       fitted = A(mu), auc = auc$auc, auc_se = auc$se, auc_lower = auc$lower, auc_upper = auc$upper,
       brier = sum(ww * (mu - y)^2) / sum(ww),
       calibration_slope = unname(coef(cal_slope)[2]), calibration_slope_se = unname(sqrt(diag(vcov(cal_slope)))[2]),
       calibration_intercept = unname(coef(cal_int)[1]), calibration_intercept_se = unname(sqrt(diag(vcov(cal_int)))[1]))
}
lgw <- s15(1 + (seq_len(nrow(lg)) %% 4) / 4)
logit_cases <- list(
  logit_case("lung_death_1y", lg, c("age", "sex", "ph.ecog")),
  logit_case("lung_death_1y_ridge5", lg, c("age", "sex", "ph.ecog"), lambda = 5),
  logit_case("lung_death_1y_weighted", lg, c("age", "sex", "ph.ecog"), w = lgw),
  logit_case("lung_death_1y_weighted_ridge2", lg, c("age", "sex", "ph.ecog"), w = lgw, lambda = 2)
)
chk(logit_cases[[1]]$coef, c(0.7013113407, 0.004753749355, -0.7604506194, 0.6892498668), 1e-9)
chk(logit_cases[[2]]$coef, c(0.2645190624, 0.007817282145, -0.4779081851, 0.5290139514), 1e-9)
chk(c(logit_cases[[1]]$auc, logit_cases[[1]]$auc_se), c(0.6601923077, 0.04127960606), 1e-10)
# DeLong on a score with ties: the ph.ecog column alone
auc_ties <- delong(lg$y, lg$ph.ecog)
auc_ties_case <- list(y = A(lg$y), score = A(lg$ph.ecog), auc = auc_ties$auc, se = auc_ties$se, lower = auc_ties$lower,
                      upper = auc_ties$upper)

# ================================ write =========================================================
golden <- c(list(generator = "tests/r/stats_golden.R"), golden_versions(c("survival", "boot", "glmnet")), list(
  notes = paste(
    "Inputs are rounded to 15 significant digits before computing. KM std_err is R's fit$std.err (SE of log S);",
    "at$std_err is summary()'s S*sigma. Weighted KM uses robust = FALSE (weighted Greenwood).",
    "Medians from quantile.survfit; NA (not reached) is null. Metrics follow scikit-survival 0.22 (transcribed here);",
    "uno tau null = no truncation. survival matrices are n x k (rows = subjects). Calibration group codes are",
    "1-based cut() codes. Bootstrap: boot(R = 999) after set.seed(1); bca uses L = empinf(type = 'jack'),",
    "bca95_default_reg is boot.ci's default (regression L), for information only."),
  km = km_cases, logrank = lr_cases, metrics = metric_cases, calibration = calib_cases,
  correlation = corr_cases, correlation_matrix = corr_matrix, p_adjust = padj, bootstrap = bootstrap,
  logistic = logit_cases, auc_ties = auc_ties_case))
write_json(golden, out_file, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = FALSE)
cat("wrote", out_file, "\n")
