"""OneStop Desk: back office for the one-stop reception desk of a ward or commune office."""

__version__ = "0.1.0"
