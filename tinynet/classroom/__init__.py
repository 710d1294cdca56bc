"""Classroom tools: check a hand-written backward, trace the backward pass, break an op."""
