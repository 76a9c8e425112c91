"""flashlight.ncps: Neural Circuit Policies (wirings, CfC and LTC cells and layers), as in the ncps package.

`from flashlight.ncps import CfC, LTC, CfCCell, LTCCell, WiredCfCCell` replaces `from ncps.torch import ...`, and
`flashlight.ncps.wirings` replaces `ncps.wirings`. docs/NCPS.md describes both API styles and the deviations."""
from flashlight.ncps import wirings  # noqa: F401,E402
from flashlight.ncps.cells import CfCCell, LSTMCell, LTCCell, WiredCfCCell  # noqa: F401,E402
from flashlight.ncps.layers import CfC, LTC  # noqa: F401,E402

__all__ = ["wirings", "CfC", "LTC", "CfCCell", "WiredCfCCell", "LTCCell", "LSTMCell"]
