"""Pieces every app shares: domain errors, the API exception handler, pagination, error pages."""
