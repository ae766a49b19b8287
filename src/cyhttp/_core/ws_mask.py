"""WebSocket XOR masking, in place: chooser (exports the active twin's names only)."""

from ._accel import explicit_twins, load

_impl = load("_ws_mask_py", "_ws_mask_c")
ws_mask = _impl.ws_mask

# ws_maskPy / ws_maskC: both twins by explicit name, for tests and benchmarks.
__getattr__ = explicit_twins("ws_mask", ("ws_mask",))

__all__ = ("ws_mask",)
