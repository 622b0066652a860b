"""The canvas pages: the canvas and its history (canvases.py), and the htmx partials that change its items (items.py),
both rendering blocks the same way (blocks.py)."""
