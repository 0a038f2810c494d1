"""Which lazy library an input belongs to (runtime, included verbatim).

Shared by the entry dispatch of 1-D operators and ``gradient``
(runtime/lazy.py) and of N-D operators (runtime/nd_lazy.py).
"""

__all__ = ["_lazy_kind"]

# ---- included in generated modules from here ----


def _lazy_kind(f):
    """``"dask"``, ``"xarray"`` or None: which lazy library ``f`` belongs to.

    Decided from the type's module, so dask and xarray are never imported for
    NumPy (or any other) input.
    """
    module = type(f).__module__.partition(".")[0]
    if module == "dask" and hasattr(f, "chunks") and hasattr(f, "dask"):
        return "dask"
    if module == "xarray" and type(f).__name__ == "DataArray":
        return "xarray"
    return None
