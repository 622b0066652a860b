"""Canvases (Business Model Canvas, Lean Canvas), their sticky items, comments, history and exports."""
