# Run COINr's own example pipeline (build_example_coin) and time it. Calls COINr's public API only.
# Usage: R_LIBS=<temp lib with COINr> Rscript bench/coinr_example.R OUT.csv [REPEAT]
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
repeats <- if (length(args) > 1) as.integer(args[2]) else 15
suppressPackageStartupMessages(library(COINr))
coin <- build_example_coin(quietly = TRUE)
res <- get_dset(coin, dset = "Aggregated")
write.csv(res, out, row.names = FALSE)
if (repeats > 0) {
  times <- vapply(seq_len(repeats), function(i) {
    t <- proc.time()[["elapsed"]]
    build_example_coin(quietly = TRUE)
    proc.time()[["elapsed"]] - t
  }, numeric(1))
  cat(sprintf("COINR_MS median=%.3f min=%.3f n=%d\n", 1000 * median(times), 1000 * min(times), repeats))
}
cat(sprintf("COINR_VERSION %s R %s\n", as.character(packageVersion("COINr")), paste(R.version$major, R.version$minor, sep = ".")))
