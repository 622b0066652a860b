"""Canvases (Business Model Canvas, Lean Canvas) and their items. Built by the canvas-editor issue."""
