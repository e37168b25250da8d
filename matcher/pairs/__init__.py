"""Pair scoring: phrase-level need fit, the pair feature vector and the learned relation model."""
