"""Numerical verification of generated ``operator`` modules (placeholder)."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stencilgen.kinds.operator import Plan
    from stencilgen.verify import VerifyRow

__all__ = ["check"]


def check(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Rows for one operator module."""
    return []
