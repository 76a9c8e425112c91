"""The Python-level workloads of `make bench`, each written once per library.

A workload's builder takes the worker's context (the imported library, the shared NCP weights) and returns a
zero-argument `step` callable; the harness times calls of `step`. Every training step is forward + loss +
backward + optimizer step in float32. Flashlight is lazy (MLX): its optimizer.step() evaluates the parameters and
the optimizer state, so the timed step includes all the work, as torch's eager step does; where a Flashlight
workload has no such point, it reads the result (`.numpy()`, `.item()`) to force it.

The NCP models start from the same weights on both sides: ncps.torch builds them once (prep_ncps.py, in its own
process) and both workers load that state_dict from an .npz file, so the Flashlight worker never imports torch.
"""
from dataclasses import dataclass

import numpy as np

BATCH_NCP, SEQ_NCP, IN_NCP = 32, 100, 8


@dataclass(frozen=True)
class Target:
    """A goal from the issues: Flashlight at least `speedup` times faster than torch, and/or under `max_us`."""
    speedup: float | None = None
    max_us: float | None = None
    text: str = ""


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    group: str  # "train", "latency" or "op"
    fl: object  # builder(ctx) -> step
    torch: object
    target: Target | None = None
    ncps_model: str | None = None  # key of prep_ncps.MODELS whose weights it loads


# --- MLP and LeNet: the same code for both libraries (`lib` is flashlight or torch) -------------------------------

def _classifier_step(lib, model, x_np, n_classes=10, seed=0):
    rng = np.random.default_rng(seed)
    x = lib.from_numpy(x_np)
    y = lib.from_numpy(rng.integers(0, n_classes, x_np.shape[0]).astype(np.int64))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


def mlp(batch):
    def build(ctx):
        nn = ctx.lib.nn
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        x = np.random.default_rng(1).standard_normal((batch, 784), dtype=np.float32)
        return _classifier_step(ctx.lib, model, x)
    return build


def lenet(batch):
    def build(ctx):
        nn = ctx.lib.nn
        model = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84),
                              nn.ReLU(), nn.Linear(84, 10))
        x = np.random.default_rng(1).standard_normal((batch, 1, 28, 28), dtype=np.float32)
        return _classifier_step(ctx.lib, model, x)
    return build


# --- NCP training: ncps.torch vs Flashlight (its ncps modules when present, else the fused ops) --------------------

def _ncp_data(out_features):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((BATCH_NCP, SEQ_NCP, IN_NCP), dtype=np.float32)
    target = rng.standard_normal((BATCH_NCP, SEQ_NCP, out_features), dtype=np.float32)
    return x, target


def _train_step(lib, params, forward, x, target):
    opt = lib.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        y = forward(x)
        loss = lib.nn.functional.mse_loss(y, target)
        loss.backward()
        opt.step()
    return step


def ncp_torch(model_key):
    def build(ctx):
        import torch
        model = ctx.ncps_torch_model(model_key)
        x, target = _ncp_data(MODEL_OUTPUTS[model_key])
        return _train_step(torch, list(model.parameters()), lambda v: model(v)[0], torch.from_numpy(x),
                           torch.from_numpy(target))
    return build


def ncp_flashlight(model_key):
    def build(ctx):
        fl = ctx.lib
        params, forward, ctx.note = fl_ncp_model(fl, model_key, ctx.ncps_weights(model_key))
        x, target = _ncp_data(MODEL_OUTPUTS[model_key])
        return _train_step(fl, params, forward, fl.from_numpy(x), fl.from_numpy(target))
    return build


def fl_ncp_model(fl, model_key, weights):
    """(trainable parameters, forward x -> output sequence, what it calls) of the Flashlight NCP model with
    ncps.torch's state_dict `weights` (numpy arrays)."""
    module = _fl_ncps_module(fl, model_key)
    if module is not None:  # flashlight.ncps.CfC / LTC, ncps.torch's API
        module.load_state_dict({k: fl.from_numpy(v) for k, v in weights.items()})
        return list(module.parameters()), lambda v: module(v)[0], f"flashlight.ncps.{type(module).__name__}"
    # the fused sequence ops with ncps.torch's state_dict
    sd = {k: fl.from_numpy(v) for k, v in weights.items()}
    params = [t.requires_grad_(True) for k, t in sd.items() if "sparsity_mask" not in k]
    ops = fl._C._ncps
    if model_key == "ltc_ncp":
        cell = {k.removeprefix("rnn_cell."): v for k, v in sd.items()}
        return params, lambda x: ops.ltc_sequence(x, cell)[0], "_C._ncps.ltc_sequence"
    return params, lambda x: ops.cfc_sequence(x, sd)[0], "_C._ncps.cfc_sequence"


# prep_ncps.MODELS keys -> output features
MODEL_OUTPUTS = {"cfc64": 64, "cfc_ncp": 4, "ltc_ncp": 4}


def _fl_ncps_module(fl, model_key):
    ncps = getattr(fl, "ncps", None)
    if ncps is None or not hasattr(ncps, "CfC") or not hasattr(ncps, "LTC"):
        return None
    if model_key == "cfc64":
        return ncps.CfC(IN_NCP, 64, backbone_units=128)
    wiring = ncps.wirings.AutoNCP(32, 4)
    return ncps.CfC(IN_NCP, wiring) if model_key == "cfc_ncp" else ncps.LTC(IN_NCP, wiring)


# --- single-step inference at batch 1 ------------------------------------------------------------------------------

def cfc_step_torch(ctx):
    import torch
    cell = ctx.ncps_torch_model("cfc64").rnn_cell
    x, h = torch.zeros(1, IN_NCP), torch.zeros(1, 64)
    x.normal_(generator=torch.Generator().manual_seed(0))

    def step():
        with torch.no_grad():
            cell(x, h, 1.0)
    return step


def cfc_step_fl(ctx):
    fl = ctx.lib
    stepper = fl._C._ncps.CfCStepper({k: fl.from_numpy(v) for k, v in ctx.ncps_weights("cfc64").items()})
    x = fl.from_numpy(np.random.default_rng(0).standard_normal((1, IN_NCP), dtype=np.float32))
    h = fl.zeros(1, 64)
    return lambda: stepper.step(x, h)


def ltc_step_torch(ctx):
    import torch
    cell = ctx.ncps_torch_model("ltc_ncp").rnn_cell
    x, h = torch.zeros(1, IN_NCP), torch.zeros(1, cell.state_size)
    x.normal_(generator=torch.Generator().manual_seed(0))

    def step():
        with torch.no_grad():
            cell(x, h)
    return step


def _ltc_stepper(ctx):
    fl = ctx.lib
    weights = {k.removeprefix("rnn_cell."): fl.from_numpy(v) for k, v in ctx.ncps_weights("ltc_ncp").items()}
    return fl._C._ncps.LTCStepper(weights, batch=1)


def ltc_step_into_fl(ctx):
    stepper = _ltc_stepper(ctx)
    x = np.random.default_rng(0).standard_normal((1, IN_NCP), dtype=np.float32)
    h = np.zeros((1, stepper.state_size), np.float32)
    y = np.zeros((1, stepper.output_size), np.float32)
    return lambda: stepper.step_into(x, h, dt=1.0, y=y)


def ltc_step_tensor_fl(ctx):
    fl = ctx.lib
    stepper = _ltc_stepper(ctx)
    x = fl.from_numpy(np.random.default_rng(0).standard_normal((1, IN_NCP), dtype=np.float32))
    h = fl.zeros(1, stepper.state_size)
    return lambda: stepper.step(x, h)


# --- GEMM and tiny-op overhead ------------------------------------------------------------------------------------

def gemm(n, force):
    def build(ctx):
        rng = np.random.default_rng(3)
        a, b = (ctx.lib.from_numpy(rng.standard_normal((n, n), dtype=np.float32)) for _ in range(2))
        if force:  # Flashlight is lazy: .numpy() evaluates the product (zero-copy view of the result)
            return lambda: (a @ b).numpy()
        return lambda: a @ b
    return build


def tiny_add(requires_grad, item):
    def build(ctx):
        a, b = (ctx.lib.ones(1, requires_grad=requires_grad) for _ in range(2))
        for t in (a, b):  # computed inputs, as torch's are (Flashlight's ones() is lazy until read)
            t.tolist()
        if item:
            return lambda: (a + b).item()
        return lambda: a + b
    return build


SPEEDUP_NCP = Target(speedup=10.0, text=">= 10x faster")
HALF_OF_TORCH = Target(speedup=2.0, text="<= half of torch's time")
WORKLOADS = [
    Workload("mlp_b32", "MLP 784-256-10 train step, batch 32", "train", mlp(32), mlp(32),
             Target(speedup=1.2, text="clearly faster (>= 1.2x)")),
    Workload("mlp_b256", "MLP 784-256-10 train step, batch 256", "train", mlp(256), mlp(256)),
    Workload("lenet_b64", "LeNet-5 train step, batch 64, 1x28x28", "train", lenet(64), lenet(64),
             Target(speedup=1.0, text="no slower (>= 1x)")),
    Workload("cfc64_train", "CfC(8, 64, backbone_units=128) train step, (32, 100, 8)", "train",
             ncp_flashlight("cfc64"), ncp_torch("cfc64"), SPEEDUP_NCP, "cfc64"),
    Workload("cfc_ncp_train", "CfC(8, AutoNCP(32, 4)) train step, (32, 100, 8)", "train",
             ncp_flashlight("cfc_ncp"), ncp_torch("cfc_ncp"), SPEEDUP_NCP, "cfc_ncp"),
    Workload("ltc_ncp_train", "LTC(8, AutoNCP(32, 4)) train step, (32, 100, 8)", "train",
             ncp_flashlight("ltc_ncp"), ncp_torch("ltc_ncp"), SPEEDUP_NCP, "ltc_ncp"),
    Workload("cfc64_step", "CfC(8, 64) single step, batch 1: CfCStepper.step (Tensors)", "latency", cfc_step_fl,
             cfc_step_torch, Target(speedup=20.0, max_us=2.5, text=">= 20x faster, < 2.5 us"), "cfc64"),
    Workload("ltc_ncp_step", "LTC(8, AutoNCP(32, 4)) single step, batch 1: LTCStepper.step_into (numpy)",
             "latency", ltc_step_into_fl, ltc_step_torch,
             Target(speedup=20.0, max_us=10.0, text=">= 20x faster, < 10 us"), "ltc_ncp"),
    Workload("ltc_ncp_step_tensor", "LTC(8, AutoNCP(32, 4)) single step, batch 1: LTCStepper.step (Tensors)",
             "latency", ltc_step_tensor_fl, ltc_step_torch,
             Target(speedup=20.0, max_us=10.0, text=">= 20x faster, < 10 us"), "ltc_ncp"),
    Workload("gemm1024", "GEMM 1024x1024 @ 1024x1024 (Flashlight: (a @ b).numpy())", "op", gemm(1024, True),
             gemm(1024, False)),
    Workload("add_1elem", "a + b, 1-element tensors", "op",
             tiny_add(False, False), tiny_add(False, False), HALF_OF_TORCH),
    Workload("add_1elem_grad", "a + b, 1-element tensors, requires_grad", "op", tiny_add(True, False),
             tiny_add(True, False), HALF_OF_TORCH),
    Workload("add_1elem_item", "(a + b).item(), 1-element tensors (forces the value)", "op", tiny_add(False, True),
             tiny_add(False, True)),
]
BY_NAME = {w.name: w for w in WORKLOADS}
