"""The weather box: readings from Open-Meteo or a data file, kept in .cache/weather.json."""
