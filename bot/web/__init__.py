"""``bot web``: the review page, a small server-rendered ASGI app (Starlette + Jinja2, served by
uvicorn) meant to sit behind a reverse proxy. An entry point like the CLI: it parses a request,
calls the same services (queue read model, review, requests, publishing, calendar, accounts) and
renders a page; it never loads the model (regenerate is a request the daemon serves).

Start it in a test with :func:`bot.web.app.create_app` and Starlette's ``TestClient``.
"""
