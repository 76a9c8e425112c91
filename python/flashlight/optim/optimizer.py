"""flashlight.optim.Optimizer: torch.optim.Optimizer's interface over the fused C++ optimizers (flashlight._C._optim).

Python keeps what users see and edit: `param_groups` (plain dicts) and `defaults`. The C++ object holds the
per-parameter state and runs the updates; each step first hands it the current group dicts, so edits such as
`group['lr'] = 0.01` take effect at the next step.

MLX style: an optimizer may be built without parameters (`Adam(learning_rate=1e-3)`) and updated with
`update(model, grads)`, which binds the parameters at the first call. `model` is a nested dict/list of Tensors, or
a Module: the hook is `model.trainable_parameters()`, which must return that nested tree, shaped like `grads`.
"""
import warnings
from collections import defaultdict

from flashlight._C import Tensor, _optim
from flashlight.autograd.grad_mode import enable_grad
from flashlight.nn.parameter import UninitializedParameter


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


_LEGACY_TYPES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _typename(obj):
    """torch.typename: "flashlight.FloatTensor" for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return f"flashlight.{_LEGACY_TYPES.get(str(obj.dtype).split('.')[-1], '')}Tensor"
    t = type(obj)
    module = t.__module__
    return t.__qualname__ if module in (None, "builtins") else f"{module}.{t.__qualname__}"


def _resolve_lr(params, lr, learning_rate):
    """MLX's spellings: `learning_rate=` for lr, and a number in the parameters' place (`Adam(1e-3)`)."""
    if isinstance(params, (int, float)) and not isinstance(params, bool):
        params, lr = None, params
    if learning_rate is not None:
        lr = learning_rate
    return params, lr


def _copy_tree(x):
    """deepcopy for state_dict groups: containers copied, Tensors cloned, other values shared (immutable here)."""
    if isinstance(x, dict):
        return {k: _copy_tree(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_copy_tree(v) for v in x]
    if isinstance(x, tuple):
        return tuple(_copy_tree(v) for v in x)
    if isinstance(x, Tensor):
        return x.clone()
    return x


def _cast_state(param, value, key=None):
    """torch's load_state_dict cast: state tensors take a floating parameter's dtype, except "step"."""
    if isinstance(value, Tensor):
        return value if key == "step" or not param.is_floating_point() else value.to(param.dtype)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


def _leaves(tree, path=()):
    """(path, leaf) pairs of a nested dict/list/tuple tree, in order."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(tree, (list, tuple)):
        for i, v in enumerate(tree):
            yield from _leaves(v, path + (i,))
    else:
        yield path, tree


def _at(tree, path):
    for k in path:
        try:
            tree = tree[k]
        except (KeyError, IndexError, TypeError):
            return None
    return tree


class Optimizer:
    """Base class of flashlight's optimizers, with torch.optim.Optimizer's interface.

    Subclass it as torch's to write an optimizer in Python: its step() updates the parameters (under
    flashlight.no_grad()) and keeps what it needs in `self.state[p]`, a defaultdict(dict) as torch's."""

    _impl_class = _optim.PythonDefined  # the C++ optimizer; flashlight's own set their fused class

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got " + _typename(params))
        self.defaults = defaults
        self.param_groups = []
        groups = None
        if params is not None:
            groups = list(params)
            if len(groups) == 0:
                raise ValueError("optimizer got an empty parameter list")
            if not isinstance(groups[0], dict):
                groups = [{"params": groups}]
            for g in groups:
                self._prepare_group(g)
                self.param_groups.append(g)
        self._impl = self._impl_class(groups, defaults)
        if self._in_python:
            self._py_state = defaultdict(dict)

    @property
    def _in_python(self):
        """Whether step() and the state are a Python subclass's (else they are the fused C++ optimizer's)."""
        return self._impl_class is _optim.PythonDefined

    # --- param groups -----------------------------------------------------------------------------------------
    def _prepare_group(self, param_group):
        """torch's add_param_group, except the checks C++ makes (leaves, disjoint groups)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for p in param_group["params"]:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(p))
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        self._may_hold_uninitialized |= any(isinstance(p, UninitializedParameter) for p in tensors)
        if len({id(p) for p in tensors}) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")

    def add_param_group(self, param_group):
        """Adds a group (a dict with "params" and optional per-group options)."""
        self._prepare_group(param_group)
        self._impl.add_param_group(param_group)
        self.param_groups.append(param_group)

    _may_hold_uninitialized = False  # set when a lazy module's placeholder joins; cleared once all are materialised

    def _check_initialized(self, where):
        """torch's error for an UninitializedParameter: a lazy module (an ncps cell built from an unbuilt wiring)
        materialises its parameters at its first call, and a step before it would update nothing."""
        if not self._may_hold_uninitialized:
            return
        if any(isinstance(p, UninitializedParameter) for g in self.param_groups for p in g["params"]):
            raise RuntimeError(f"Attempted to use an uninitialized parameter in {type(self).__name__}.{where}(). This "
                               "error happens when you are using a lazy module (such as an ncps cell built from an "
                               "unbuilt wiring) or explicitly manipulating `flashlight.nn.UninitializedParameter` "
                               "objects. Call the model's `forward` with a batch (or `load_state_dict`) to "
                               "initialize its parameters before stepping the optimizer")
        self._may_hold_uninitialized = False

    def _sync(self):
        if not self._in_python:
            self._impl._set_param_groups(self.param_groups)

    # --- steps ------------------------------------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Sets the parameters' grads to None (default) or zeros them in place."""
        _optim.zero_grad([p for g in self.param_groups for p in g["params"]], set_to_none)

    def step(self, closure=None):
        """One fused update of every parameter with a grad; returns the closure's loss (None without one)."""
        if self._in_python:
            raise NotImplementedError(f"{type(self).__name__} must define step(), as torch.optim.Optimizer "
                                      "subclasses do")
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_initialized("step")
        self._sync()
        self._impl._step()
        return loss

    # --- state ------------------------------------------------------------------------------------------------
    def _pack_groups(self):
        """torch's pack_group: group dicts without their tensors, which become indices (first occurrence)."""
        index, start, groups = {}, 0, []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            for i, p in enumerate(g["params"], start):
                index.setdefault(id(p), (i, p))
            packed["params"] = [index[id(p)][0] for p in g["params"]]
            start += len(packed["params"])
            groups.append(packed)
        return groups, index

    @property
    def state(self):
        """{param: its state dict}, as torch's `optimizer.state`. For flashlight's own optimizers it is a snapshot
        of the C++ state (its tensors are the optimizer's)."""
        if self._in_python:
            return self._py_state
        self._sync()
        _, index = self._pack_groups()
        params = {i: p for i, p in index.values()}
        out = defaultdict(dict)
        for k, v in self._impl.state_dict()["state"].items():
            out[params[k]] = v
        return out

    @state.setter
    def state(self, value):
        if not self._in_python:
            raise AttributeError("a fused optimizer's state is set by load_state_dict()")
        self._py_state = value

    def state_dict(self):
        """torch's layout: {"state": {index: {...}}, "param_groups": [{...options..., "params": [indices]}]}."""
        groups, index = self._pack_groups()
        if self._in_python:
            state = {(index[id(k)][0] if isinstance(k, Tensor) else k): v for k, v in self._py_state.items()}
        else:
            self._sync()
            state = self._impl.state_dict()["state"]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Loads a state_dict() (this optimizer's or one with torch's layout holding flashlight Tensors)."""
        state_dict = state_dict.copy()
        saved_groups = _copy_tree(state_dict["param_groups"])
        self._sync()
        # C++ checks the layout against the groups (torch's errors) and, for fused optimizers, takes the state.
        self._impl.load_state_dict({"state": {} if self._in_python else state_dict["state"],
                                    "param_groups": saved_groups})
        if self._in_python:
            ids = [i for g in saved_groups for i in g["params"]]
            params = [p for g in self.param_groups for p in g["params"]]
            id_map = dict(zip(ids, params))
            self._py_state = defaultdict(dict)
            for k, v in state_dict["state"].items():
                if k in id_map:
                    self._py_state[id_map[k]] = _cast_state(id_map[k], v)
                else:
                    self._py_state[k] = v
        groups = []
        for g, ng in zip(self.param_groups, saved_groups):
            ng["params"] = g["params"]
            if "param_names" in g and "param_names" not in ng:
                ng["param_names"] = g["param_names"]
            for k, v in self.defaults.items():
                ng.setdefault(k, v)
            groups.append(ng)
        self.param_groups = groups
        self._after_load()

    def _after_load(self):
        """What torch's __setstate__ restores after a load (AdamW: decoupled weight decay)."""

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # --- MLX style ----------------------------------------------------------------------------------------------
    @property
    def learning_rate(self):
        """MLX's name for the learning rate (every group's "lr")."""
        return self.param_groups[0]["lr"] if self.param_groups else self.defaults["lr"]

    @learning_rate.setter
    def learning_rate(self, value):
        self.defaults["lr"] = value
        for g in self.param_groups:
            g["lr"] = value

    @staticmethod
    def _tree(model):
        if isinstance(model, (dict, list, tuple)):
            return model
        if hasattr(model, "trainable_parameters"):
            return model.trainable_parameters()
        raise TypeError("update() expects a nested dict/list of Tensors or a Module with trainable_parameters(), "
                        f"got {_typename(model)}")

    def init(self, parameters):
        """Binds the Tensors of a parameter tree (MLX's Optimizer.init); parameters already bound are kept."""
        leaves = [p for _, p in _leaves(self._tree(parameters)) if isinstance(p, Tensor)]
        if not self.param_groups:
            self.add_param_group({"params": leaves})
            return
        known = {hash(p) for g in self.param_groups for p in g["params"]}
        new = [p for p in leaves if hash(p) not in known]
        if new:
            self.param_groups[0]["params"].extend(new)
            self._may_hold_uninitialized |= any(isinstance(p, UninitializedParameter) for p in new)

    def update(self, model, gradients):
        """MLX's update: one step of the parameters of `model` (a tree or a Module) with the matching tree of
        gradients. Parameters are updated in place; they are bound at the first call."""
        tree = self._tree(model)
        self.init(tree)
        grads = {}
        for path, p in _leaves(tree):
            g = _at(gradients, path)
            if isinstance(p, Tensor) and isinstance(g, Tensor):
                grads[hash(p)] = g
        self._check_initialized("update")
        if self._in_python:  # a Python-defined step reads .grad
            for g in self.param_groups:
                for p in g["params"]:
                    p.grad = grads.get(hash(p))
            self.step()
            return
        self._sync()
        self._impl._apply_gradients([[grads.get(hash(p)) for p in g["params"]] for g in self.param_groups])

    def apply_gradients(self, gradients, parameters):
        """MLX's apply_gradients: updates `parameters` (in place) and returns them."""
        self.update(parameters, gradients)
        return parameters
