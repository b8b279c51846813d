"""One module per CLI command (or group of commands)."""
