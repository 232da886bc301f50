"""CampBank: the bank of a summer camp's virtual economy."""

__version__ = "0.1.0"
