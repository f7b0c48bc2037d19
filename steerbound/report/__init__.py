"""Figures and the self-contained HTML report, drawn from the layers' results."""
