"""What editors run: build, serve, check, new, weather."""
