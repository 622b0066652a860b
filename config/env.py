"""The one reader of the environment. Settings modules import `env` and `BASE_DIR` from here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
