"""Inputs and outputs of the engine: products, areas of interest, windows, COG writing."""
