# Runs COINr's get_sensitivity on its ASEM example coin with the 4 uncertain inputs of COINr's
# sensitivity vignette, and writes the results that tests/uncertainty/test_coinr.py compares with.
#
#   lib=$(mktemp -d) && R CMD INSTALL -l "$lib" ../shared/reference/coinr/COINr_1.1.14.tar.gz
#   R_LIBS="$lib" Rscript bench/coinr_sensitivity.R OUTDIR N_UA N_SA
#
# Writes OUTDIR/ua_rankstats.csv (uCode, Nominal, Mean, Median, Q5, Q95), OUTDIR/sa_indices.csv
# (Variable, Si, STi and bootstrap quantiles), OUTDIR/timing.csv (seconds per replication).
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "."
n_ua <- if (length(args) >= 2) as.integer(args[2]) else 2000L
n_sa <- if (length(args) >= 3) as.integer(args[3]) else 500L
suppressPackageStartupMessages(library(COINr))
set.seed(2026)
coin <- build_example_coin(quietly = TRUE)

l_winmax <- list(Address = "$Log$Treat$global_specs$f1_para$winmax", Distribution = 1:5, Type = "discrete")
norm_alts <- list(list(f_n = "n_minmax", f_n_para = list(c(1, 100))),
                  list(f_n = "n_zscore", f_n_para = list(c(10, 2))))
l_norm <- list(Address = "$Log$Normalise$global_specs", Distribution = norm_alts, Type = "discrete")
noisy_wts <- get_noisy_weights(w = coin$Meta$Weights$Original,
                               noise_specs = data.frame(Level = c(2, 3), NoiseFactor = c(0.25, 0.25)), Nrep = 100)
l_weights <- list(Address = "$Log$Aggregate$w", Distribution = noisy_wts, Type = "discrete")
l_agg <- list(Address = "$Log$Aggregate$f_ag", Distribution = c("a_amean", "a_gmean"), Type = "discrete")
specs <- list(Winmax = l_winmax, Normalisation = l_norm, Weights = l_weights, Aggregation = l_agg)

t_ua <- NA
if (n_ua > 0) {
  t0 <- Sys.time()
  ua <- get_sensitivity(coin, SA_specs = specs, N = n_ua, SA_type = "UA", dset = "Aggregated", iCode = "Index",
                        quietly = TRUE, check_addresses = FALSE)
  t_ua <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  write.csv(ua$RankStats, file.path(out, "ua_rankstats.csv"), row.names = FALSE)
}

t_sa <- NA
if (n_sa > 0) {
  t0 <- Sys.time()
  sa <- get_sensitivity(coin, SA_specs = specs, N = n_sa, SA_type = "SA", dset = "Aggregated", iCode = "Index",
                        Nboot = 100, quietly = TRUE, check_addresses = FALSE)
  t_sa <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  write.csv(sa$Sensitivity, file.path(out, "sa_indices.csv"), row.names = FALSE)
}
timing <- data.frame(analysis = c("UA", "SA"), replications = c(n_ua, n_sa * 6),
                     seconds = c(t_ua, t_sa), ms_per_replication = 1000 * c(t_ua / n_ua, t_sa / (n_sa * 6)),
                     r_version = R.version.string, coinr = as.character(packageVersion("COINr")))
timing <- timing[!is.na(timing$seconds), ]
path <- file.path(out, "timing.csv")
write.csv(if (file.exists(path)) rbind(read.csv(path), timing) else timing, path, row.names = FALSE)
