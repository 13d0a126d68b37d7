from typing import Any, Optional

import numpy as np
import numpy.typing as npt

MODELS: tuple[str, ...]

def simulate(model: str, seed: int = ..., duration_ms: Optional[float] = ...,
             dt_ms: Optional[float] = ..., gba: str = ...,
             raster_ms: Optional[float] = ...) -> dict[str, Any]: ...
def raster(result: dict[str, Any]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
def rates(result: dict[str, Any]) -> npt.NDArray[np.float64]: ...
def traces(result: dict[str, Any]) -> dict[str, tuple[npt.NDArray[np.float64],
                                                        npt.NDArray[np.float64],
                                                        npt.NDArray[np.float64]]]: ...
