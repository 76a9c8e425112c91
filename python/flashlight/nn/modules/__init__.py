"""torch.nn's module classes, one file per family as in torch.nn.modules."""
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
