"""The Streamlit portal: reads snapshots and the catalog, writes only through the ledger."""
