"""The platform's sensors and their cursor logic."""
