"""dti — digital-transformation assessment and ranking of state agencies."""

__version__ = "0.1.0"
