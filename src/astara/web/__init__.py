"""The FastAPI application: the REST API of every domain and the server-rendered pages."""
