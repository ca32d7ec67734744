"""Operator emulations: controllers that bring plugin custom resources to life (see dask.py)."""
