# The headline model of a listening study, fitted by the field's reference implementations: lme4 + lmerTest
# (a linear mixed model with crossed participant and clip effects, Satterthwaite degrees of freedom) and
# ordinal::clmm (the same design as a cumulative link mixed model).  survey/analysis/inference/rbridge.py runs it.
#
#   Rscript crossed.R IN.csv OUT.json [ordinal] [pairs]     (pairs: only the pairwise contrasts, for simulations)
#
# IN.csv: one row per rating: study (any id: a batch holds many studies, e.g. simulated ones), criterion,
# participant, clip, source, rating.  OUT.json: one object per (study, criterion); see fit_one().
#
# The random part follows one stated rule (issue 21; Barr et al. 2013, Matuschek et al. 2017):
#   1. start from participant + participant:source + clip intercepts; participant:source is the by-participant
#      random slope for source in its compound-symmetry form (one variance for every source), which a study of
#      a few dozen participants can estimate where the unstructured k x k slope matrix cannot;
#   2. a term the design cannot identify is left out, with the reason (one level, as many levels as ratings,
#      or no participant who rated two clips of one source);
#   3. a term estimated at its boundary (SD below 1e-3 of the residual's) is dropped and the model refitted,
#      with the reason; never a NaN standard error or a "p = 0".
suppressPackageStartupMessages({
  library(lmerTest)
  library(jsonlite)
})

BOUNDARY <- 1e-3

identified <- function(d, term) {
  n <- nrow(d)
  levels <- switch(term,
    participant = length(unique(d$participant)),
    clip = length(unique(d$clip)),
    "participant:source" = nrow(unique(d[, c("participant", "source")])))
  if (levels < 2) return(sprintf("only one %s", sub(":source", " and source", term)))
  if (levels >= n) return(sprintf("every rating has its own %s", sub(":source", " and source", term)))
  if (term == "participant:source" && all(table(interaction(d$participant, d$source, drop = TRUE)) < 2))
    return("no participant rated two clips of one source")
  if (term == "clip" && all(table(unique(d[, c("clip", "source")])$source) < 2))
    return("each source has a single clip, so clip and source effects are the same")
  ""
}

random_formula <- function(fixed, terms) {
  if (!length(terms)) return(as.formula(fixed))
  as.formula(paste(fixed, paste(sprintf("(1 | %s)", terms), collapse = " + "), sep = " + "))
}

one_line <- function(f) gsub("\\s+", " ", paste(deparse(f), collapse = " "))

lmm_fit <- function(d, terms) {
  f <- random_formula("rating ~ 0 + source", terms)
  if (!length(terms)) return(list(model = lm(f, data = d), formula = one_line(f), messages = character()))
  messages <- character()
  model <- withCallingHandlers(
    # the formula and data go into the call itself: lmerTest re-evaluates the call later, from another frame
    eval(bquote(lme4::lmer(.(f), data = .(d), REML = TRUE))),
    warning = function(w) { messages <<- c(messages, conditionMessage(w)); invokeRestart("muffleWarning") },
    message = function(m) { invokeRestart("muffleMessage") })
  list(model = model, formula = one_line(f), messages = messages)
}

sds <- function(model) {
  vc <- as.data.frame(VarCorr(model))
  setNames(vc$sdcor, vc$grp)
}

fit_with_rule <- function(d, fitter, sd_of, residual_sd, terms) {
  dropped <- list()
  for (term in terms) {
    why <- identified(d, term)
    if (nzchar(why)) { dropped[[length(dropped) + 1]] <- list(term = term, reason = why); terms <- setdiff(terms, term) }
  }
  repeat {
    fit <- fitter(d, terms)
    if (!length(terms)) break
    s <- sd_of(fit$model)
    zero <- terms[s[terms] < BOUNDARY * max(residual_sd(fit$model), 1e-8)]
    if (!length(zero)) break
    for (term in zero) dropped[[length(dropped) + 1]] <- list(term = term, reason = "estimated at zero")
    terms <- setdiff(terms, zero)
  }
  c(fit, list(terms = terms, dropped = dropped))
}

contrast_rows <- function(model, L) {
  if (inherits(model, "lm")) {
    est <- drop(L %*% coef(model)); se <- sqrt(diag(L %*% vcov(model) %*% t(L)))
    df <- rep(df.residual(model), length(est))
  } else {
    r <- contest(model, L, joint = FALSE, ddf = "Satterthwaite")
    est <- r$Estimate; se <- r$`Std. Error`; df <- r$df
  }
  data.frame(estimate = est, se = se, df = df, t = est / se, p = 2 * pt(-abs(est / se), df))
}

omnibus <- function(model, k) {
  if (k < 2) return(NULL)
  L <- cbind(1, -diag(k - 1))
  if (inherits(model, "lm")) {
    a <- anova(lm(rating ~ 1, data = model$model), model)
    return(list(F = a$F[2], num_df = a$Df[2], den_df = a$Res.Df[2], p = a$`Pr(>F)`[2]))
  }
  r <- contest(model, L, joint = TRUE, ddf = "Satterthwaite")
  list(F = r$`F value`, num_df = r$NumDF, den_df = r$DenDF, p = r$`Pr(>F)`)
}

pair_matrix <- function(sources) {
  k <- length(sources); pairs <- combn(k, 2)
  L <- matrix(0, ncol(pairs), k)
  for (i in seq_len(ncol(pairs))) { L[i, pairs[1, i]] <- 1; L[i, pairs[2, i]] <- -1 }
  list(L = L, a = sources[pairs[1, ]], b = sources[pairs[2, ]])
}

lmm_result <- function(d, pairs_only = FALSE) {
  fit <- fit_with_rule(d, lmm_fit, sds, function(m) sigma(m), c("participant", "participant:source", "clip"))
  # lmerTest's Satterthwaite needs a numerical Hessian of the variance parameters: computed once, on the model
  # the rule kept, not on every refit
  model <- if (inherits(fit$model, "lm")) fit$model else as_lmerModLmerTest(fit$model)
  sources <- levels(d$source); k <- length(sources)
  means <- if (pairs_only) NULL else cbind(source = sources, contrast_rows(model, diag(k)))
  pm <- pair_matrix(sources)
  pairs <- if (k > 1) cbind(source_a = pm$a, source_b = pm$b, contrast_rows(model, pm$L)) else NULL
  variances <- if (inherits(model, "lm")) list(residual = sigma(model)^2) else as.list(sds(model)^2)
  names(variances)[names(variances) == "Residual"] <- "residual"
  converged <- !length(grep("converge|Hessian", fit$messages, value = TRUE))
  list(formula = fit$formula, random = I(fit$terms), dropped = fit$dropped, variances = variances,
       converged = converged, warnings = fit$messages, means = means, pairs = pairs,
       omnibus = if (pairs_only) NULL else omnibus(model, k))
}

clmm_fit <- function(d, terms) {
  f <- random_formula("rating_factor ~ source", terms)
  model <- if (length(terms)) eval(bquote(ordinal::clmm(.(f), data = .(d)))) else eval(bquote(ordinal::clm(.(f), data = .(d))))
  list(model = model, formula = one_line(f), messages = character())
}

clmm_sds <- function(model) unlist(lapply(ordinal::VarCorr(model), function(v) sqrt(v[1, 1])))

clmm_result <- function(d, pairs_only = FALSE) {
  d$rating_factor <- factor(d$rating, ordered = TRUE)
  # participant and clip intercepts only: clmm's Laplace fit takes seconds a term, and the ordinal model stands
  # beside the headline, which carries the slopes.  pi / sqrt(3) is the logistic residual's SD.
  fit <- fit_with_rule(d, clmm_fit, clmm_sds, function(m) pi / sqrt(3), c("participant", "clip"))
  model <- fit$model; sources <- levels(d$source); k <- length(sources)
  beta <- c(0, model$beta[paste0("source", sources[-1])])
  v <- matrix(0, k, k)
  if (k > 1) v[-1, -1] <- vcov(model)[paste0("source", sources[-1]), paste0("source", sources[-1])]
  pm <- pair_matrix(sources)
  est <- drop(pm$L %*% beta); se <- sqrt(diag(pm$L %*% v %*% t(pm$L)))
  converged <- is.null(model$optRes$convergence) || model$optRes$convergence == 0
  list(formula = fit$formula, random = I(fit$terms), dropped = fit$dropped, converged = converged,
       variances = as.list(if (length(fit$terms)) clmm_sds(model)^2 else numeric()),
       pairs = data.frame(source_a = pm$a, source_b = pm$b, estimate = est, se = se, z = est / se,
                          p = 2 * pnorm(-abs(est / se))))
}

fit_one <- function(d, ordinal, pairs_only) {
  d$source <- factor(d$source, levels = sort(unique(as.character(d$source))))
  d$participant <- factor(d$participant); d$clip <- factor(d$clip)
  out <- list(study = as.character(d$study[1]), criterion = as.character(d$criterion[1]), n_obs = nrow(d))
  out$lmm <- tryCatch(lmm_result(d, pairs_only), error = function(e) list(error = conditionMessage(e)))
  if (ordinal) out$clmm <- tryCatch(clmm_result(d), error = function(e) list(error = conditionMessage(e)))
  out
}

main <- function(args) {
  d <- read.csv(args[1], colClasses = c(study = "character", criterion = "character", participant = "character",
                                        clip = "character", source = "character", rating = "numeric"))
  ordinal <- "ordinal" %in% args[-(1:2)]
  pairs_only <- "pairs" %in% args[-(1:2)]
  groups <- split(d, list(d$study, d$criterion), drop = TRUE, sep = "\r")
  results <- lapply(groups, fit_one, ordinal = ordinal, pairs_only = pairs_only)
  writeLines(toJSON(unname(results), auto_unbox = TRUE, digits = NA, na = "null", dataframe = "rows",
                    null = "null"), args[2])
}

main(commandArgs(trailingOnly = TRUE))
