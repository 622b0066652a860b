"""Production settings for the load run, with one change: the URLconf adds a bare JSON view (bench.load.urls),
the baseline the canvas API's throughput is compared with. Nothing here is used by the app or its tests."""

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
