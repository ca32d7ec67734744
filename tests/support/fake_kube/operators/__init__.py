"""Operator emulations: controllers that bring plugin custom resources to life (dask.py, simple.py)."""
from .dask import DaskOperator
from .simple import PyTorchOperator, RayOperator, SparkOperator

OPERATORS = {"dask": DaskOperator, "ray": RayOperator, "spark": SparkOperator, "pytorch": PyTorchOperator}
