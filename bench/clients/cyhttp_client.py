"""cyhttp (compiled or pure: the worker's environment decides)."""

import cyhttp
from bench.clients._session_adapter import session_adapter

Adapter = session_adapter(cyhttp, "cyhttp")
