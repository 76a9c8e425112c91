"""flashlight.optim: torch.optim's optimizers and learning-rate schedulers over fused C++ updates."""
