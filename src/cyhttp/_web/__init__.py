"""cyhttp's server: aiohttp.web's API over the engine (public names in ``cyhttp.web``)."""
