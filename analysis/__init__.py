"""Datasets: upload user-behaviour CSVs, sniff and preview them, ingest them on a Celery worker into Parquet.
(Models on them — forecasts, segments — come with the models issue.)"""
