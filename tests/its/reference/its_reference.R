# Reference numbers for tests/its: run from the repository root with
#   Rscript tests/its/reference/its_reference.R > tests/its/reference/r_reference.json
# Needs R with the sandwich and nlme packages (Debian: r-base-core r-cran-sandwich r-cran-nlme).
# The tests never call R; they read the frozen JSON this script printed.
library(sandwich)
library(nlme)

num <- function(x) paste0("[", paste(sprintf("%.17g", unname(x)), collapse = ", "), "]")
named <- function(x) paste0("{", paste(sprintf("\"%s\": %.17g", names(x), unname(x)), collapse = ", "), "}")
out <- list()
add <- function(key, body) out[[length(out) + 1]] <<- sprintf("  \"%s\": %s", key, body)

# ---- Sicily (Lopez Bernal et al. 2017): quasi-Poisson, offset log(stdpop), step change only.
sic <- read.csv("../shared/datasets/sicily/data.csv")
m <- sic$month
sic$s1 <- sin(2 * pi * m / 12); sic$c1 <- cos(2 * pi * m / 12)
sic$s2 <- sin(4 * pi * m / 12); sic$c2 <- cos(4 * pi * m / 12)
q3 <- glm(aces ~ offset(log(stdpop)) + treated + time + s1 + c1 + s2 + c2, family = quasipoisson, data = sic)
q2 <- glm(aces ~ offset(log(stdpop)) + treated + time, family = quasipoisson, data = sic)
p2 <- glm(aces ~ offset(log(stdpop)) + treated + time, family = poisson, data = sic)
for (nm in c("q3", "q2", "p2")) {
  f <- get(nm)
  s <- summary(f)
  add(paste0("sicily_", nm), sprintf("{\"coef\": %s, \"se\": %s, \"dispersion\": %.17g}", named(coef(f)), named(s$coefficients[, 2]), s$dispersion))
}

# ---- Fixture: mean violence_rate over the treated units of fixtures/police_monthly.csv.
fx <- read.csv("fixtures/police_monthly.csv")
tr <- unique(fx$unit[fx$treated == 1])
agg <- aggregate(violence_rate ~ period, data = fx[fx$unit %in% tr, ], FUN = mean)
agg <- agg[order(agg$period), ]
y <- agg$violence_rate
t <- seq_along(y) - 1
t1 <- which(agg$period == "2019-04") - 1
t2 <- which(agg$period == "2019-09") - 1
time <- t - t1
lev1 <- as.numeric(t >= t1); slo1 <- lev1 * (t - t1)
lev2 <- as.numeric(t >= t2); slo2 <- lev2 * (t - t2)
dum <- as.numeric(agg$period %in% c("2020-04", "2020-05"))
d <- data.frame(y, time, lev1, slo1, lev2, slo2, dum)
add("fixture_y", num(y))

# OLS and Newey-West (Bartlett kernel, no prewhitening, no small-sample adjustment).
ols <- lm(y ~ time + lev1 + slo1 + dum, data = d)
add("fixture_ols", sprintf("{\"coef\": %s, \"se\": %s}", num(coef(ols)), num(sqrt(diag(vcov(ols))))))
e <- residuals(ols)
b12 <- Box.test(e, lag = 12, type = "Ljung-Box"); b24 <- Box.test(e, lag = 24, type = "Ljung-Box")
add("fixture_ols_resid", sprintf("{\"dw\": %.17g, \"lb12\": [%.17g, %.17g], \"lb24\": [%.17g, %.17g]}",
    sum(diff(e)^2) / sum(e^2), b12$statistic, b12$p.value, b24$statistic, b24$p.value))
for (L in c(3, 6)) {
  V <- NeweyWest(ols, lag = L, prewhite = FALSE, adjust = FALSE)
  add(paste0("fixture_nw", L), sprintf("{\"se\": %s}", num(sqrt(diag(V)))))
}

# AR(1) errors by exact ML: nlme::gls (GLS variance of beta) and stats::arima.
g <- gls(y ~ time + lev1 + slo1 + dum, data = d, correlation = corAR1(form = ~ time), method = "ML",
         control = glsControl(tolerance = 1e-10, msTol = 1e-10, msMaxIter = 1000))
phi <- coef(g$modelStruct$corStruct, unconstrained = FALSE)
add("fixture_gls_ar1", sprintf("{\"coef\": %s, \"se\": %s, \"phi\": %.17g, \"logLik\": %.17g, \"sigma\": %.17g}",
    num(coef(g)), num(sqrt(diag(vcov(g)))), phi, as.numeric(logLik(g)), g$sigma))
gr <- gls(y ~ time + lev1 + slo1 + dum, data = d, correlation = corAR1(form = ~ time), method = "REML",
          control = glsControl(tolerance = 1e-10, msTol = 1e-10, msMaxIter = 1000))
add("fixture_gls_ar1_reml", sprintf("{\"coef\": %s, \"se\": %s, \"phi\": %.17g, \"logLik\": %.17g}",
    num(coef(gr)), num(sqrt(diag(vcov(gr)))), coef(gr$modelStruct$corStruct, unconstrained = FALSE), as.numeric(logLik(gr))))
X <- as.matrix(d[, c("time", "lev1", "slo1", "dum")])
a1 <- arima(y, order = c(1, 0, 0), xreg = X, method = "ML", optim.control = list(reltol = 1e-12, maxit = 5000))
add("fixture_arima_ar1", sprintf("{\"coef\": %s, \"se\": %s, \"logLik\": %.17g, \"aic\": %.17g, \"sigma2\": %.17g}",
    named(coef(a1)), named(sqrt(diag(a1$var.coef))), a1$loglik, a1$aic, a1$sigma2))
X2 <- as.matrix(d[, c("time", "lev1", "slo1", "lev2", "slo2", "dum")])
a11 <- arima(y, order = c(1, 0, 1), xreg = X2, method = "ML", optim.control = list(reltol = 1e-12, maxit = 5000))
add("fixture_arima_arma11", sprintf("{\"coef\": %s, \"se\": %s, \"logLik\": %.17g, \"aic\": %.17g, \"sigma2\": %.17g}",
    named(coef(a11)), named(sqrt(diag(a11$var.coef))), a11$loglik, a11$aic, a11$sigma2))
a2 <- arima(y, order = c(2, 0, 0), xreg = X2, method = "ML", optim.control = list(reltol = 1e-12, maxit = 5000))
add("fixture_arima_ar2", sprintf("{\"coef\": %s, \"se\": %s, \"logLik\": %.17g, \"aic\": %.17g, \"sigma2\": %.17g}",
    named(coef(a2)), named(sqrt(diag(a2$var.coef))), a2$loglik, a2$aic, a2$sigma2))

cat("{\n  \"source\": {\"R\": \"", R.version.string, "\", \"sandwich\": \"", as.character(packageVersion("sandwich")),
    "\", \"nlme\": \"", as.character(packageVersion("nlme")), "\", \"script\": \"tests/its/reference/its_reference.R\"},\n", sep = "")
cat(paste(out, collapse = ",\n"), "\n}\n")
