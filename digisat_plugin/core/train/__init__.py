"""Training at reduced scale (Wald protocol): degradations, data split, pairs, sampler, trainer."""
