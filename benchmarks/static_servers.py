"""The portal served two other ways, for benchmarks/static_compression.py to set beside the
portal's own server (dashboards/server.py), chosen by SALNAMEH_STATIC_SERVER:

- `as_shipped`: Streamlit's frontend code as Streamlit serves it, uncompressed (the portal
  without dashboards/compressed_static.py);
- `gzip_each_request`: Starlette's GZipMiddleware over every answer, the one line a data
  engineer would add: each file compressed again on every request.

    SALNAMEH_STATIC_SERVER=as_shipped .venv/bin/python -m streamlit run benchmarks/static_servers.py
"""

from __future__ import annotations

import os

import streamlit as st
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

from benchmarks.portal_bench import ROOT
from dashboards.server import DeclareServer

WAYS = {
    "as_shipped": [Middleware(DeclareServer)],
    "gzip_each_request": [Middleware(DeclareServer), Middleware(GZipMiddleware, minimum_size=500)],
}

app = st.App(ROOT / "dashboards" / "app.py", middleware=WAYS[os.environ["SALNAMEH_STATIC_SERVER"]])
