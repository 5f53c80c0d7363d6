"""The seed datasets: published DTI results as raw indicator data, reproduced by the engine."""

from dti.data.loader import DATA_DIR, Dataset, dataset_names, load_dataset

__all__ = ["DATA_DIR", "Dataset", "dataset_names", "load_dataset"]
