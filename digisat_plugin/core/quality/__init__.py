"""Quality at reduced scale: metrics, baselines (bicubic, guided linear) and the evaluation run."""
