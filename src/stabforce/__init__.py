"""stabforce — coordination platform for a multinational stabilisation force."""

__version__ = "0.1.0"
