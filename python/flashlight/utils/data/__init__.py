"""flashlight.utils.data: torch.utils.data's datasets, samplers and DataLoader."""
