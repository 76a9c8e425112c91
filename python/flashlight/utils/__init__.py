"""flashlight.utils: data loading (flashlight.utils.data) and a progress bar (flashlight.utils.progress)."""
from flashlight.utils import data  # noqa: F401
from flashlight.utils.progress import progress  # noqa: F401
