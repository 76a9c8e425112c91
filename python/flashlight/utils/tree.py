"""Parameter trees in the MLX style: nested dicts (and lists) of tensors keyed by module attribute names, as
`fl.value_and_grad(model, loss_fn)` returns gradients and `optimizer.update(model, grads)` consumes them."""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["tree_flatten", "tree_unflatten", "tree_map"]


def tree_flatten(tree, prefix: str = "", is_leaf: Callable[[Any], bool] | None = None) -> list[tuple[str, Any]]:
    """[(dotted key, leaf)] in order: {"0": {"weight": w}} -> [("0.weight", w)]."""
    if is_leaf is not None and is_leaf(tree):
        return [(prefix[1:], tree)]
    if isinstance(tree, dict):
        return [kv for k, v in tree.items() for kv in tree_flatten(v, f"{prefix}.{k}", is_leaf)]
    if isinstance(tree, (list, tuple)):
        return [kv for i, v in enumerate(tree) for kv in tree_flatten(v, f"{prefix}.{i}", is_leaf)]
    return [(prefix[1:], tree)]


def tree_unflatten(items) -> dict:
    """The inverse of tree_flatten, producing nested dicts (keys stay strings, "0" included)."""
    root: dict = {}
    for key, value in items:
        node = root
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return root


def tree_map(fn: Callable, tree, *rest, is_leaf: Callable[[Any], bool] | None = None):
    """fn applied leaf by leaf over trees of the same structure."""
    if is_leaf is not None and is_leaf(tree):
        return fn(tree, *rest)
    if isinstance(tree, dict):
        return {k: tree_map(fn, v, *[r[k] for r in rest], is_leaf=is_leaf) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(tree_map(fn, v, *[r[i] for r in rest], is_leaf=is_leaf) for i, v in enumerate(tree))
    return fn(tree, *rest)
