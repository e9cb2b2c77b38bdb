"""The weather stage: readings for the configured places, from Open-Meteo (source.py) or
an editor's file, kept in data/weather-cache.json (store.py), checked value by value
(readings.py), chosen for the build (refresh.py) and laid out as the box (box.py).

Every failure is a warning (a `ContentError` worded by the locale files), never a
stopped build."""

from .box import weather_box
from .refresh import Refresh, fetch_and_cache
from .store import CACHE_FILE

__all__ = ["CACHE_FILE", "Refresh", "fetch_and_cache", "weather_box"]
