"""The canvas REST API: canvases (canvases.py), their items (items.py) and versions (versions.py), with the shapes
they share (serializers.py)."""
