"""The HTTP API (FastAPI): thin routes over the services, plus the page's static files."""
