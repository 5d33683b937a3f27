"""Programme procedures as workflows: a small language in YAML (definition, loader, validate), the engine
the Case actions ask, the shipped library, and the diagram. Nothing here imports Django."""
