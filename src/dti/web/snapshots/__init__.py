"""Continuous measurement of a period: snapshots that score every unit "as of" a date at a
rhythm, the provisional ranking they give, trends over them, and the yearly result closed
from a chosen one."""
