"""The core's own pages, picked up by the scan at the end of ``main``."""
