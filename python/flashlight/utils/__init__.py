"""flashlight.utils: data loading (flashlight.utils.data) and helpers."""
