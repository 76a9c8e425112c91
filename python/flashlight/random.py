"""fl.random: seeding the default generator, as torch.random."""
from flashlight._C import Generator, default_generator, initial_seed, manual_seed, seed  # noqa: F401

__all__ = ["Generator", "default_generator", "initial_seed", "manual_seed", "seed"]
