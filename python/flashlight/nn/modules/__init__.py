"""torch.nn's module classes, one file per family as in torch.nn.modules."""
from flashlight.nn.modules import activation as _activation
from flashlight.nn.modules import container as _container
from flashlight.nn.modules import conv as _conv
from flashlight.nn.modules import dropout as _dropout
from flashlight.nn.modules import flatten as _flatten
from flashlight.nn.modules import linear as _linear
from flashlight.nn.modules import loss as _loss
from flashlight.nn.modules import module as _module
from flashlight.nn.modules import normalization as _normalization
from flashlight.nn.modules import pooling as _pooling
from flashlight.nn.modules import rnn as _rnn
from flashlight.nn.modules import sparse as _sparse
from flashlight.nn.modules import transformer as _transformer
from flashlight.nn.modules.activation import *  # noqa: F401,F403
from flashlight.nn.modules.container import *  # noqa: F401,F403
from flashlight.nn.modules.conv import *  # noqa: F401,F403
from flashlight.nn.modules.dropout import *  # noqa: F401,F403
from flashlight.nn.modules.flatten import *  # noqa: F401,F403
from flashlight.nn.modules.linear import *  # noqa: F401,F403
from flashlight.nn.modules.loss import *  # noqa: F401,F403
from flashlight.nn.modules.module import *  # noqa: F401,F403
from flashlight.nn.modules.normalization import *  # noqa: F401,F403
from flashlight.nn.modules.pooling import *  # noqa: F401,F403
from flashlight.nn.modules.rnn import *  # noqa: F401,F403
from flashlight.nn.modules.sparse import *  # noqa: F401,F403
from flashlight.nn.modules.transformer import *  # noqa: F401,F403

__all__ = [name for m in (_activation, _container, _conv, _dropout, _flatten, _linear, _loss, _module, _normalization, _pooling, _rnn, _sparse, _transformer) for name in m.__all__]
