"""WebSocket XOR masking, in place: chooser (exports the active twin's names only)."""

from typing import TYPE_CHECKING

from ._accel import explicit_twins, load

if TYPE_CHECKING:
    # Type checkers see the pure twin, the typed reference; the compiled twin has its interface.
    from ._ws_mask_py import ws_mask
    from ._ws_mask_py import ws_mask as ws_maskPy, ws_mask as ws_maskC
else:
    _impl = load("_ws_mask_py", "_ws_mask_c")
    ws_mask = _impl.ws_mask

    # ws_maskPy / ws_maskC: both twins by explicit name, for tests and benchmarks.
    __getattr__ = explicit_twins("ws_mask", ("ws_mask",))

__all__ = ("ws_mask",)
