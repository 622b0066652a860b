"""Pure-Python models (forecasting, segmentation): pandas, numpy, scikit-learn (and its threadpoolctl), statsforecast.

Never imports Django, DRF, Celery or another bizcanvas app; import-linter enforces it (see pyproject.toml)."""
