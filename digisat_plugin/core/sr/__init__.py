"""Super-resolution: resampling, network definitions, weights, tiled inference."""
