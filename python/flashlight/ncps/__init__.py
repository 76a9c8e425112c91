"""flashlight.ncps: Neural Circuit Policies (wirings, CfC and LTC cells and layers), as in the ncps package."""
from flashlight.ncps import wirings  # noqa: F401,E402
