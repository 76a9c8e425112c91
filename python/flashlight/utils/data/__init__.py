"""flashlight.utils.data: torch.utils.data's datasets, samplers, collation and DataLoader."""
from flashlight.utils.data.collate import default_collate, default_convert  # noqa: F401
from flashlight.utils.data.dataloader import DataLoader, WorkerInfo, get_worker_info  # noqa: F401
from flashlight.utils.data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset,  # noqa: F401
                                           StackDataset, Subset, TensorDataset, random_split)
from flashlight.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,  # noqa: F401
                                           SubsetRandomSampler, WeightedRandomSampler)
