"""Qt widgets: thin, they call services and show plain dataclasses."""
