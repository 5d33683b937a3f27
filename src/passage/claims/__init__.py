"""Reparations: violations recognised by the state, claims on cases, evidence, deficiency notices, duplicates."""
