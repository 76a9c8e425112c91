"""help() for every C++-bound callable shows a real docstring, not only nanobind's signature.

Walks flashlight, flashlight.nn.functional, nn.init, nn.utils, the ncps wirings and every public function of the
extension's modules (flashlight._C and its _nn, _nn_init, _nn_utils, _ncps, _optim), plus each public method of
fl.Tensor, fl.Generator and the wiring classes. A new op bound without an entry in python/src/docs/ fails here.
"""
import re
import types

import pytest

import flashlight as fl
import flashlight.nn.functional as F
import flashlight.nn.init as nn_init
import flashlight.nn.utils as nn_utils
from flashlight import _C
from flashlight.ncps import wirings

MODULES = {
    "flashlight": fl, "flashlight.nn.functional": F, "flashlight.nn.init": nn_init, "flashlight.nn.utils": nn_utils,
    "flashlight._C": _C, "flashlight._C._nn": _C._nn, "flashlight._C._nn_init": _C._nn_init,
    "flashlight._C._nn_utils": _C._nn_utils, "flashlight._C._ncps": _C._ncps, "flashlight._C._optim": _C._optim,
}
CLASSES = {"Tensor": fl.Tensor, "Generator": fl.Generator, **{c: getattr(wirings, c) for c in
                                                                ("Wiring", "FullyConnected", "Random", "NCP", "AutoNCP")}}


def _is_bound(obj):
    return type(obj).__name__ in ("nb_func", "nb_method")


def _public(namespace):
    return [(n, getattr(namespace, n)) for n in sorted(dir(namespace)) if not n.startswith("_")]


def _bound_callables():
    seen = {}
    for mod_name, mod in MODULES.items():
        for name, obj in _public(mod):
            if _is_bound(obj):
                seen.setdefault(id(obj), (f"{mod_name}.{name}", obj))
    for cls_name, cls in CLASSES.items():
        for name, obj in _public(cls):
            if _is_bound(obj):
                seen.setdefault(id(obj), (f"{cls_name}.{name}", obj))
    return sorted(seen.values(), key=lambda e: e[0])


def _split_params(params):
    """Top-level comma split of a signature's parameter list (annotations hold commas inside brackets)."""
    out, depth, cur = [], 0, ""
    for ch in params:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def param_names(sig):
    """Named parameters of one nanobind signature ('def f(a: T, *, b: U = ...) -> R'), without self, the
    markers * and /, nanobind's placeholder names for unnamed arguments (arg, arg0, ...) and *args/**kwargs."""
    inner = sig[sig.index("(") + 1:sig.rindex(")", 0, sig.rindex("->") if "->" in sig else len(sig))]
    names = []
    for p in _split_params(inner):
        name = re.split(r"[:=]", p, maxsplit=1)[0].strip()
        if name in ("self", "*", "/") or name.startswith("*") or re.fullmatch(r"arg\d*", name):
            continue
        names.append(name)
    return names


def docstring_problems(qualname, obj):
    problems = []
    for sig, text, _ in obj.__nb_signature__:
        text = (text or "").strip()
        if not text:
            return [f"{qualname}: no docstring (only the signature {sig!r})"]
        summary = text.splitlines()[0]
        short = qualname.rsplit(".", 1)[1]
        if summary.startswith(short + "(") or not summary.endswith("."):
            problems.append(f"{qualname}: the first line should be a one-line summary ending in '.': {summary!r}")
        names = param_names(sig)
        if names and not re.search(r"^Args:$", text, re.M):
            problems.append(f"{qualname}: takes {names} but has no 'Args:' section")
        for n in names:  # each as an Args entry: '    name (type): meaning'
            if not re.search(rf"^\s+\*{{0,2}}{re.escape(n)} \(", text, re.M):
                problems.append(f"{qualname}: parameter {n!r} is not described in Args")
    return problems


BOUND = _bound_callables()


def test_namespaces_are_walked():
    names = {q for q, _ in BOUND}
    # A sample from each namespace, so an import change that hides them cannot make this test vacuous.
    for q in ("flashlight.sum", "Tensor.sum", "Tensor.exp_", "Tensor.view", "flashlight.nn.functional.conv2d",
              "flashlight.nn.init.xavier_uniform_", "flashlight._C._nn_utils.clip_grad_norm_", "Wiring.build",
              "flashlight._C._ncps.cfc_sequence", "flashlight._C._optim.zero_grad", "Generator.manual_seed"):
        assert q in names, q
    assert len(BOUND) > 400


@pytest.mark.parametrize("qualname,obj", BOUND, ids=[q for q, _ in BOUND])
def test_docstring(qualname, obj):
    assert docstring_problems(qualname, obj) == []


def test_method_mirrors_function():
    """x.sum(...) and fl.sum(x, ...) share one text; an in-place method starts from its op's text."""
    assert fl.Tensor.sum.__nb_signature__[0][1] == fl.sum.__nb_signature__[0][1]
    exp_ = fl.Tensor.exp_.__nb_signature__[0][1]
    assert exp_.startswith("In-place version of exp()") and fl.exp.__doc__.split("\n\n")[1] in exp_
    add_ = fl.Tensor.add_.__nb_signature__[0][1]  # self replaces input, and self is what is returned
    assert "    other (" in add_ and "    alpha (" in add_ and "    input (" not in add_
    assert add_.rstrip().endswith("Returns:\n    Tensor: self.")


def test_help_shows_the_docstring():
    assert "Args:" in fl.sum.__doc__ and "keepdim (bool)" in fl.sum.__doc__
    assert fl.sum.__doc__.splitlines()[0].startswith("sum(")  # nanobind's signature stays first


def test_python_wrappers_carry_the_bound_docstring():
    """nn.init and nn.utils wrap some C++ functions in Python (warnings, generators of parameters): help() on the
    wrapper shows the C++ function's docstring."""
    for mod, bound in ((nn_init, _C._nn_init), (nn_utils, _C._nn_utils)):
        for name, obj in _public(mod):
            if isinstance(obj, types.FunctionType) and _is_bound(getattr(bound, name, None)):
                assert obj.__doc__ and "Args:" in obj.__doc__, f"{mod.__name__}.{name}"


def test_checker_rejects_a_bare_signature():
    """The checker itself: a callable with only a signature, or an undescribed parameter, is reported."""
    class Fake:
        __nb_signature__ = (("def f(input: Tensor, dim: int = 0) -> Tensor", None, None),)
    assert docstring_problems("m.f", Fake) != []
    Fake.__nb_signature__ = (("def f(input: Tensor, dim: int = 0) -> Tensor",
                              "Does f.\n\nArgs:\n    input (Tensor): x.\n", None),)
    assert docstring_problems("m.f", Fake) == ["m.f: parameter 'dim' is not described in Args"]
    assert param_names("def g(self, arg: Tensor, /, *args, k: tuple[int, int] = (1, 2), **kwargs) -> None") == ["k"]
