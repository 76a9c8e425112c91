"""Builds the benchmark's NCP models with ncps.torch and saves their state_dicts as .npz, so that the Flashlight and
the torch workers start from the same weights without the Flashlight worker importing torch.

Run by the harness in its own process: python prep_ncps.py OUT_DIR.
"""
import sys
from pathlib import Path

import numpy as np

# model key -> ncps.torch constructor (evaluated with CfC, LTC, AutoNCP in scope)
MODELS = {
    "cfc64": "CfC(8, 64, backbone_units=128)",
    "cfc_ncp": "CfC(8, AutoNCP(32, 4))",
    "ltc_ncp": "LTC(8, AutoNCP(32, 4))",
}


def build(key):
    """A fresh ncps.torch model for `key` (random weights: load_state_dict the saved ones)."""
    from ncps.torch import CfC, LTC
    from ncps.wirings import AutoNCP
    return eval(MODELS[key], {"CfC": CfC, "LTC": LTC, "AutoNCP": AutoNCP})  # constant strings above


def main(out_dir):
    import torch
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for i, key in enumerate(MODELS):
        torch.manual_seed(i)
        sd = build(key).state_dict()
        np.savez(out / f"{key}.npz", **{k: v.detach().numpy().astype(np.float32) for k, v in sd.items()})


if __name__ == "__main__":
    main(sys.argv[1])
