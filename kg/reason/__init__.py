"""Reasoning and validation: the OWL 2 RL closure (owlrl, or the fast rules) and the SHACL shapes."""
