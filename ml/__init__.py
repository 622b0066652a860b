"""Pure-Python models (forecasting, segmentation): pandas, numpy, scikit-learn, statsforecast only.

Never imports Django, DRF, Celery or another bizcanvas app; import-linter enforces it (see pyproject.toml)."""
