"""rolecall's HTTP API (FastAPI): thin routes over :class:`matcher.engine.Engine`."""
