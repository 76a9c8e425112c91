"""fl.backends.cudnn: there is no cuDNN under MLX; the flags exist so code that sets them runs unchanged."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None
