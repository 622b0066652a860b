"""The CSV engine: sniff an upload, stream it into normalised events in Parquet, summarise them. Pure Python on
files and streams it is handed (import-linter forbids Django, DRF, Celery and the apps), so the bench and the
tests run it as the app does."""
