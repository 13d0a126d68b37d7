from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from .spiking import SpikingNet

DISCRETISATION: str

def to_nir(net: SpikingNet, dt: Optional[float] = ...) -> Any: ...
def from_nir(graph: Any, dt: float) -> SpikingNet: ...
def simulate(graph: Any, x: npt.NDArray[np.float64], dt: float,
             method: str = ...) -> dict[str, npt.NDArray[np.float64]]: ...
