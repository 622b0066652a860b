"""Datasets, ingest and model runs on Celery. Built by the datasets and models issues."""
